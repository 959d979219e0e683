import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { AppProcess } from '#tests/helpers/app_process'
import { baseUrl } from '#tests/helpers/call_socket'
import { TEST_METRICS_TOKEN } from '#tests/helpers/metrics'
import { withCleanDatabase } from '#tests/helpers/world'

const scrape = (base: string, headers: Record<string, string> = {}) => fetch(`${base}/metrics`, { headers })

test.group('Metrics: the /metrics endpoint', (group) => {
  withCleanDatabase(group)

  test('refuses a request without the bearer token, or with a wrong one', async ({ assert }) => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-of-enough-length' },
      { authorization: `Bearer ${TEST_METRICS_TOKEN}x` },
      { authorization: TEST_METRICS_TOKEN },
      { authorization: `Basic ${TEST_METRICS_TOKEN}` },
    ]
    for (const headers of attempts) {
      const response = await scrape(baseUrl(), headers)
      const body = await response.text()
      assert.equal(response.status, 401, JSON.stringify(headers))
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.notInclude(body, 'confab_')
    }
  })

  test('serves the Prometheus text format to the token, with no session cookie', async ({ assert }) => {
    const response = await scrape(baseUrl(), { authorization: `Bearer ${TEST_METRICS_TOKEN}` })
    const body = await response.text()
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    assert.equal(response.headers.get('cache-control'), 'no-store')
    assert.deepEqual(response.headers.getSetCookie(), [])
    // Process and event-loop metrics, and Confab's own at 0 before anything happened.
    for (const name of ['confab_process_cpu_user_seconds_total', 'confab_nodejs_eventloop_lag_seconds', 'confab_nodejs_heap_size_used_bytes']) {
      assert.match(body, new RegExp(`^${name} `, 'm'))
    }
    assert.match(body, /^confab_rings_total\{outcome="sent"\} \d+$/m)
    assert.match(body, /^confab_live_calls 0$/m)
  })

  test('a scrape stores no session, where a cookieless page request does', async ({ assert, cleanup }) => {
    const server = new AppProcess(3450, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), SESSION_DRIVER: 'database' })
    cleanup(() => server.stop())
    await server.ready('/up')
    const sessions = async () => Number((await db.from('sessions').count('* as total').first())?.total ?? 0)

    const before = await sessions()
    const response = await scrape(server.url, { authorization: `Bearer ${TEST_METRICS_TOKEN}` })
    assert.equal(response.status, 200)
    assert.equal(await sessions(), before)
    // What the endpoint avoids: a request through the router's middleware stores a session.
    await fetch(`${server.url}/up`)
    assert.equal(await sessions(), before + 1)
  }).timeout(40_000)

  test('is off (404) when METRICS_TOKEN is unset', async ({ assert, cleanup }) => {
    const server = new AppProcess(3451, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), METRICS_TOKEN: '' })
    cleanup(() => server.stop())
    await server.ready('/up')

    const attempts: Array<Record<string, string>> = [{}, { authorization: `Bearer ${TEST_METRICS_TOKEN}` }]
    for (const headers of attempts) {
      // JSON: this server has no Vite build for the HTML 404 page.
      const response = await scrape(server.url, { ...headers, accept: 'application/json' })
      assert.equal(response.status, 404)
      assert.notInclude(await response.text(), 'confab_')
    }
  }).timeout(40_000)
})
