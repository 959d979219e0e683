import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

test.group('Health', () => {
  test('reports the app and its database as healthy', async ({ client, assert }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    assert.isTrue(response.body().isHealthy)
    assert.equal(response.body().checks[0].status, 'ok')
  })

  test('answers 503 with a clear report when the database is down', async ({ assert, cleanup }) => {
    // A second, real server process whose database is unreachable (nothing listens on port 9).
    const port = 3390
    const server = spawn(process.execPath, ['--import=@poppinss/ts-exec', 'bin/server.ts'], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        DB_CONNECTION: 'mysql',
        MYSQL_HOST: '127.0.0.1',
        MYSQL_PORT: '9',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanup(() => {
      server.kill('SIGKILL')
    })
    let output = ''
    server.stdout.on('data', (chunk) => (output += chunk))
    server.stderr.on('data', (chunk) => (output += chunk))

    const response = await waitForResponse(`http://127.0.0.1:${port}/health`, () => output)
    assert.equal(response.status, 503)
    const report = await response.json()
    assert.isFalse(report.isHealthy)
    assert.equal(report.checks[0].status, 'error')
    assert.match(report.checks[0].message, /Connection failed|ECONNREFUSED/i)
    assert.notProperty(report, 'stack')
    server.kill('SIGKILL')
    await once(server, 'exit')
  }).timeout(30_000)
})

async function waitForResponse(url: string, output: () => string) {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    try {
      return await fetch(url, { headers: { accept: 'application/json' } })
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(`The server never answered. Its output:\n${output()}`)
}
