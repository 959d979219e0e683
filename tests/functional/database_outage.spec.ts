import { test } from '@japa/runner'
import { AppProcess } from '#tests/helpers/app_process'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TcpProxy, deadPort } from '#tests/helpers/tcp_proxy'
import { printedSkip } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { people, withCleanDatabase } from '#tests/helpers/world'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import app from '@adonisjs/core/services/app'
import { rmSync } from 'node:fs'

/** Anything of the driver's own words that must never reach a client. */
function assertNoInternals(assert: { notMatch(value: string, pattern: RegExp, message?: string): void }, body: string, port: number) {
  assert.notMatch(body, new RegExp(`127\\.0\\.0\\.1|:${port}\\b|\\b${port}\\b`), 'the database host or port leaked')
  assert.notMatch(body, /ECONNREFUSED|ETIMEDOUT|PROTOCOL_|Knex|mysql|select |insert |stack/i, 'a driver message leaked')
}

/** A signed-out person submitting the login form: the first request of a day that needs the database. */
async function submitLogin(server: AppProcess, accept: string) {
  const client = new BrowserlessClient(server.url)
  // The session and its XSRF-TOKEN cookie, from a route that needs no database.
  await client.fetch('/up')
  return client.fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams({ email: 'someone@example.test', password: 'whatever it is' }),
  })
}

/** A Confab process on MySQL at 127.0.0.1:port, sessions in its memory (no database needed for them). */
function serverOnMysqlAt(httpPort: number, mysqlPort: number) {
  return new AppProcess(httpPort, {
    NODE_ENV: 'test',
    DB_CONNECTION: 'mysql',
    MYSQL_HOST: '127.0.0.1',
    MYSQL_PORT: String(mysqlPort),
    SESSION_DRIVER: 'memory',
    DB_TIMEOUT: '2000',
  })
}

const onMysql = process.env.DB_CONNECTION === 'mysql'

test.group('Database outage', (group) => {
  withCleanDatabase(group)

  test('a refused database connection answers 503 with the error shape and a page, never internals', async ({ assert, cleanup }) => {
    const port = await deadPort()
    const server = serverOnMysqlAt(3441, port)
    cleanup(() => server.stop())
    await server.ready('/up')

    const json = await submitLogin(server, 'application/json')
    const jsonBody = await json.text()
    assert.equal(json.status, 503, jsonBody)
    assert.equal(json.headers.get('retry-after'), '5')
    const parsed = JSON.parse(jsonBody)
    assert.lengthOf(parsed.errors, 1)
    assert.match(parsed.errors[0].message, /database/i)
    assert.deepEqual(Object.keys(parsed), ['errors'])
    assertNoInternals(assert, jsonBody, port)

    const html = await submitLogin(server, 'text/html,application/xhtml+xml')
    const page = await html.text()
    assert.equal(html.status, 503)
    assert.match(html.headers.get('content-type') ?? '', /text\/html/)
    assert.equal(html.headers.get('retry-after'), '5')
    assert.include(page, 'Back in a moment')
    assertNoInternals(assert, page, port)

    // One warning line per request, without a stack trace (the logger writes asynchronously).
    await until(async () => server.output, (output) => output.includes('database unavailable'), 5000, 'the warning in the log')
    assert.notInclude(server.output, '"stack"')
  }).timeout(60_000)

  test('a database that accepts connections and never answers fails requests fast (503 within ~3 s)', async ({ assert, cleanup }) => {
    const blackHole = new TcpProxy()
    const port = await blackHole.listen()
    cleanup(() => blackHole.close())
    const server = serverOnMysqlAt(3442, port)
    cleanup(() => server.stop())
    await server.ready('/up')

    const startedAt = performance.now()
    const response = await submitLogin(server, 'application/json')
    const elapsed = performance.now() - startedAt
    console.log(`  black-hole database: 503 after ${Math.round(elapsed)} ms (DB_TIMEOUT=2000)`)
    assert.equal(response.status, 503, await response.clone().text())
    assertNoInternals(assert, await response.text(), port)
    assert.isAbove(blackHole.openConnections, 0, 'the app never even connected to the black hole')
    // mysql2's own connect timeout is 10 s, and a hung query waits forever.
    assert.isBelow(elapsed, 4500)
  }).timeout(60_000)

  test('recovers without a restart when a database that stopped answering comes back', async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const proxy = new TcpProxy({ host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306) })
    const port = await proxy.listen()
    cleanup(() => proxy.close())
    const server = serverOnMysqlAt(3443, port)
    cleanup(() => server.stop())
    assert.equal((await server.ready('/health')).status, 200)

    const aliceClient = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const calls = () => aliceClient.fetch('/calls', { headers: { accept: 'application/json' } })
    assert.equal((await calls()).status, 200)

    // The partition: pooled connections stay open but go silent; new ones are accepted, unanswered.
    proxy.blackHole()
    const startedAt = performance.now()
    const during = await calls()
    const elapsed = performance.now() - startedAt
    console.log(`  silent database: 503 after ${Math.round(elapsed)} ms`)
    assert.equal(during.status, 503)
    assert.deepEqual(Object.keys(await during.json()), ['errors'])
    assert.isBelow(elapsed, 4500)
    // The call socket's upgrade meets the database too (the session's user): a 503 the page
    // retries, not a 500.
    const socket = await CallSocketClient.as(alice!, 1, { browser: aliceClient, server: server.url })
    assert.deepEqual(await socket.closed, { status: 503 })

    proxy.restore()
    // Connections that timed out were thrown away; pooled ones that sat idle resume. Within a
    // few timeouts at most, and from then on, every request succeeds again.
    const deadline = Date.now() + 20_000
    let status = 0
    while (Date.now() < deadline && (status = (await calls()).status) !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.equal(status, 200, 'requests never succeeded again after the database came back')
    for (let attempt = 0; attempt < 5; attempt++) assert.equal((await calls()).status, 200)
    assert.equal((await server.ready('/health')).status, 200)
  })
    .timeout(90_000)
    .skip(...printedSkip(!onMysql, 'the recovery test runs in the MySQL run (DB_CONNECTION=mysql): it proxies the test MariaDB'))

  test('in production, any other server error answers the error shape without its message', async ({ assert, cleanup }) => {
    // A database that answers, but has no tables: every query fails with SQL in the message.
    const emptyDatabase = app.tmpPath('outage-empty.sqlite3')
    for (const suffix of ['', '-wal', '-shm']) rmSync(emptyDatabase + suffix, { force: true })
    const server = new AppProcess(3447, { NODE_ENV: 'production', DB_CONNECTION: 'sqlite', SQLITE_PATH: emptyDatabase, LOG_LEVEL: 'error' })
    cleanup(() => server.stop())
    await server.ready('/up')

    const response = await submitLogin(server, 'application/json')
    const body = await response.text()
    assert.equal(response.status, 500, body)
    assert.deepEqual(Object.keys(JSON.parse(body)), ['errors'])
    assert.notMatch(body, /no such table|select|users|limiter|sqlite/i)
    // The log keeps what the operator needs.
    assert.match(server.output, /no such table/)
  }).timeout(60_000)
})
