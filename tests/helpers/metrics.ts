import { baseUrl } from '#tests/helpers/call_socket'

/** The bearer token the test server's /metrics wants (.env.test). */
export const TEST_METRICS_TOKEN = process.env.METRICS_TOKEN ?? ''

export type Labels = Record<string, string>
export type Sample = { name: string; labels: Labels; value: number }

/**
 * One scrape of `/metrics`, parsed. Tests compare two scrapes (`delta`), never absolute values:
 * the process's counters carry what earlier tests did.
 */
export class MetricsSnapshot {
  constructor(readonly samples: Sample[]) {}

  /** Every sample of `name` whose labels include `labels` (a partial match). */
  series(name: string, labels: Labels = {}) {
    return this.samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
    )
  }

  /** Whether any sample of `name` has these labels. */
  has(name: string, labels: Labels = {}) {
    return this.series(name, labels).length > 0
  }

  /** The sum of the matching samples (0 when there is none). */
  value(name: string, labels: Labels = {}) {
    return this.series(name, labels).reduce((total, sample) => total + sample.value, 0)
  }

  /** A histogram's number of observations (`<name>_count`), summed over the matching series. */
  count(histogram: string, labels: Labels = {}) {
    return this.value(`${histogram}_count`, labels)
  }

  /** A histogram's sum of observations (`<name>_sum`). */
  sum(histogram: string, labels: Labels = {}) {
    return this.value(`${histogram}_sum`, labels)
  }

  /** How much `name` (with `labels`) moved since `before`. */
  delta(before: MetricsSnapshot, name: string, labels: Labels = {}) {
    return this.value(name, labels) - before.value(name, labels)
  }
}

/** GETs `/metrics` with the bearer token and parses it; fails on any status but 200. */
export async function scrapeMetrics(base = baseUrl(), token = TEST_METRICS_TOKEN) {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text.slice(0, 200)}`)
  return new MetricsSnapshot(parseMetrics(text))
}

/** The Prometheus text exposition format: `name{label="value",...} number` lines, `#` comments. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line)
    if (!match) throw new Error(`Not a Prometheus sample line: ${line}`)
    samples.push({ name: match[1]!, labels: parseLabels(match[2] ?? ''), value: parseValue(match[3]!) })
  }
  return samples
}

function parseLabels(text: string): Labels {
  const labels: Labels = {}
  const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g
  for (let match = pair.exec(text); match; match = pair.exec(text)) {
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped))
  }
  return labels
}

function parseValue(text: string) {
  if (text === '+Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  return Number(text)
}
