import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import { Counter, Histogram, Registry } from 'prom-client'
import { collectProcessMetrics, counter, register } from '#metrics/registry'
import { parseMetrics } from '#tests/helpers/metrics'
import '#metrics/http_metrics'
import '#metrics/ring_metrics'
import '#metrics/call_metrics'
import '#metrics/signaling_metrics'
import '#metrics/limit_metrics'
import '#metrics/stream_metrics'

/** Sent by the browsers' call-quality reports, registered by app/metrics/call_quality_metrics.ts. */
const BROWSER_REPORTED = ['confab_call_connect_seconds', 'confab_peer_connections_total']

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/confab.json', import.meta.url), 'utf8'))

test.group('Metrics', () => {
  test('the scrape parser reads labels, escapes, histograms and special values', async ({ assert }) => {
    const registry = new Registry()
    const counter = new Counter({ name: 'x_total', help: 'x', labelNames: ['a', 'b'], registers: [registry] })
    counter.inc({ a: 'say "hi"\\now', b: 'two\nlines' }, 3)
    const histogram = new Histogram({ name: 'y_seconds', help: 'y', buckets: [1], registers: [registry] })
    histogram.observe(0.5)
    histogram.observe(2)

    const samples = parseMetrics(await registry.metrics())
    assert.deepInclude(samples, { name: 'x_total', labels: { a: 'say "hi"\\now', b: 'two\nlines' }, value: 3 })
    assert.deepInclude(samples, { name: 'y_seconds_bucket', labels: { le: '+Inf' }, value: 2 })
    assert.deepInclude(samples, { name: 'y_seconds_count', labels: {}, value: 2 })
    assert.deepInclude(samples, { name: 'y_seconds_sum', labels: {}, value: 2.5 })
    assert.throws(() => parseMetrics('not a sample'), /Not a Prometheus sample line/)
  })

  test('a module evaluated again (a hot reload) gets the metrics already registered, not an error', ({ assert }) => {
    const config = { name: 'confab_test_reloaded_total', help: 'test', labelNames: ['a'] }
    const first = counter(config)
    first.inc({ a: 'x' })
    const second = counter(config)
    assert.strictEqual(second, first)
    assert.doesNotThrow(() => collectProcessMetrics())
    assert.doesNotThrow(() => collectProcessMetrics())
    register.removeSingleMetric(config.name)
  })

  test('every metric the Grafana dashboard queries exists', ({ assert }) => {
    const registered = new Set(register.getMetricsAsArray().map((metric) => metric.name))
    const queried = new Set<string>()
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        for (const [name] of target.expr.matchAll(/\bconfab_[a-z0-9_]+/g)) queried.add(name)
      }
    }
    assert.isAbove(queried.size, 15)
    for (const name of queried) {
      const base = name.replace(/_(bucket|count|sum)$/, '')
      assert.isTrue(registered.has(name) || registered.has(base) || BROWSER_REPORTED.includes(base), `${name} is not a metric`)
    }
    for (const name of BROWSER_REPORTED) assert.isTrue(queried.has(name) || queried.has(`${name}_bucket`), `${name} has no panel`)
  })

  test('the dashboard reads its Prometheus from the datasource variable', ({ assert }) => {
    assert.equal(dashboard.templating.list[0].name, 'datasource')
    for (const panel of dashboard.panels.filter((one: any) => one.type !== 'row')) {
      assert.equal(panel.datasource.uid, '${datasource}', panel.title)
      assert.isAbove(panel.targets.length, 0, panel.title)
    }
  })
})
