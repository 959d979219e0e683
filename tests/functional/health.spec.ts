import { test } from '@japa/runner'
import { AppProcess } from '#tests/helpers/app_process'

test.group('Health', () => {
  test('reports the app and its database as healthy', async ({ client, assert }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    assert.isTrue(response.body().isHealthy)
    assert.equal(response.body().checks[0].status, 'ok')
  })

  test('answers 503 with a clear report when the database is down', async ({ assert, cleanup }) => {
    // A second, real server process whose database is unreachable (nothing listens on port 9).
    const server = new AppProcess(3390, {
      NODE_ENV: 'test',
      DB_CONNECTION: 'mysql',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: '9',
    })
    cleanup(() => server.stop())

    const response = await server.ready('/health')
    assert.equal(response.status, 503)
    const report = await response.json()
    assert.isFalse(report.isHealthy)
    assert.equal(report.checks[0].status, 'error')
    assert.match(report.checks[0].message, /Connection failed|ECONNREFUSED/i)
    assert.notProperty(report, 'stack')
  }).timeout(40_000)
})
