import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client'
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client'

/**
 * Confab's metrics live in prom-client's default global registry, the one `GET /metrics` serves:
 * every module (Confab's own, app/metrics/call_quality_metrics.ts) registers into it by itself.
 *
 * A module evaluated twice in one process (hot-hook reloading a file under `npm run dev`)
 * would register the same name again and prom-client would throw: these helpers hand back the
 * metric already registered under that name instead, keeping its counts.
 */
export { register }

export const PREFIX = 'confab_'

export function counter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
  return (register.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter(config)
}

export function gauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T> {
  return (register.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge(config)
}

export function histogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
  return (register.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram(config)
}

/**
 * Process and event-loop metrics (CPU, memory, heap, GC, event-loop lag, handles), as
 * `confab_process_*` and `confab_nodejs_*`, once per process: prom-client throws on a second
 * call, which a reloaded module or a test booting the app twice would make.
 */
export function collectProcessMetrics() {
  if (register.getSingleMetric(`${PREFIX}process_cpu_user_seconds_total`)) return
  collectDefaultMetrics({ prefix: PREFIX })
}

/**
 * A label value from a fixed list, or `other`: label values become time series, so they may
 * only come from Confab's own constants, never from what a client sent.
 */
export function bounded<T extends string>(known: readonly T[], value: unknown): T | 'other' {
  return known.includes(value as T) ? (value as T) : 'other'
}
