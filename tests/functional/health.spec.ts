import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'

const SECRET = 'a health secret for the tests'

test.group('Health', () => {
  test('reports the app and its database as healthy, status only without the secret', async ({ client, assert }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    const report = response.body()
    assert.isTrue(report.isHealthy)
    assert.equal(report.checks[0].status, 'ok')
    assert.match(report.checks[0].name, /database/i)
    // Nothing about the process, nothing of what a check said.
    assert.notProperty(report, 'debugInfo')
    assert.notProperty(report.checks[0], 'message')
    assert.notProperty(report.checks[0], 'meta')
    assert.notMatch(response.text(), /"pid"|uptime|"version"|platform/)
  })

  test('shows process details and check messages only with X-Health-Secret', async ({ assert, cleanup }) => {
    const server = new AppProcess(3444, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), HEALTH_SECRET: SECRET })
    cleanup(() => server.stop())
    await server.ready('/up')

    const withSecret = await fetch(`${server.url}/health`, { headers: { 'x-health-secret': SECRET } })
    assert.equal(withSecret.status, 200)
    const full = await withSecret.json()
    assert.isNumber(full.debugInfo.pid)
    assert.notEqual(full.debugInfo.pid, process.pid)
    assert.isNumber(full.debugInfo.uptime)
    assert.match(full.debugInfo.version, /^v24\./)
    assert.isString(full.checks[0].message)

    // A wrong secret (same length, one character off) and no secret get the same as anyone.
    const wrong = SECRET.slice(0, -1) + 'X'
    for (const headers of [{ 'x-health-secret': wrong }, { 'x-health-secret': '' }, {}] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/health`, { headers })
      assert.equal(response.status, 200)
      const report = await response.json()
      assert.notProperty(report, 'debugInfo', JSON.stringify(headers))
      assert.notProperty(report.checks[0], 'message')
      assert.equal(report.checks[0].status, 'ok')
    }
  }).timeout(40_000)

  test('without HEALTH_SECRET set, no header unlocks the details', async ({ client, assert }) => {
    // The test server runs without HEALTH_SECRET: an empty or any header must not match "unset".
    for (const value of ['', 'undefined', SECRET]) {
      const response = await client.get('/health').header('x-health-secret', value)
      response.assertStatus(200)
      assert.notProperty(response.body(), 'debugInfo')
    }
  })

  test('answers 503 saying which check failed when the database is down, its message only with the secret', async ({ assert, cleanup }) => {
    // A second, real server process whose database is unreachable (nothing listens on port 9).
    const server = new AppProcess(3390, {
      NODE_ENV: 'test',
      DB_CONNECTION: 'mysql',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: '9',
      HEALTH_SECRET: SECRET,
    })
    cleanup(() => server.stop())

    const response = await server.ready('/health')
    assert.equal(response.status, 503)
    const body = await response.text()
    const report = JSON.parse(body)
    assert.isFalse(report.isHealthy)
    assert.equal(report.checks[0].status, 'error')
    assert.match(report.checks[0].name, /database/i)
    assert.notProperty(report.checks[0], 'message')
    assert.notMatch(body, /ECONNREFUSED|127\.0\.0\.1|stack/i)

    const full = await fetch(`${server.url}/health`, { headers: { 'x-health-secret': SECRET } })
    assert.equal(full.status, 503)
    const fullReport = await full.json()
    assert.match(fullReport.checks[0].message, /Connection failed|ECONNREFUSED/i)
    assert.isNumber(fullReport.debugInfo.pid)
  }).timeout(40_000)
})
