import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { CallSocketClient, baseUrl } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { AppProcess } from '#tests/helpers/app_process'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { startCall } from '#tests/helpers/calls'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import type User from '#models/user'

/** Opens alice's call socket with these headers: 'open' when admitted, else the HTTP status. */
async function handshake(server: string, callId: number, alice: User, headers: Record<string, string>) {
  const browser = await new BrowserlessClient(server).login(alice.email, TEST_PASSWORD)
  const socket = new CallSocketClient(`${server.replace('http', 'ws')}/calls/${callId}/signal`, { cookie: browser.cookieHeader, ...headers })
  const outcome = await socket.opened.then(
    () => 'open' as const,
    () => socket.closed.then((closed) => closed.status ?? closed.code)
  )
  socket.close()
  return outcome
}

test.group('Call WebSocket: Origin must match scheme, host and port', (group) => {
  withCleanDatabase(group)

  test('without APP_URL: the request\'s own origin only (https only from a trusted proxy)', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const own = new URL(baseUrl())
    const otherPort = `http://${own.hostname}:${Number(own.port) + 1}`

    assert.equal(await handshake(baseUrl(), callId, alice!, { origin: `https://${own.host}` }), 403, 'wrong scheme')
    assert.equal(await handshake(baseUrl(), callId, alice!, { origin: otherPort }), 403, 'wrong port')
    assert.equal(await handshake(baseUrl(), callId, alice!, { origin: `http://localhost:${own.port}` }), 403, 'wrong host')
    assert.equal(await handshake(baseUrl(), callId, alice!, { origin: 'null' }), 403, 'opaque origin')
    assert.equal(await handshake(baseUrl(), callId, alice!, { origin: baseUrl() }), 'open')
    // The test client is on loopback, which `trustProxy` trusts by default: a TLS-terminating
    // proxy there says the page was https, and then only the https origin matches.
    const viaTls = { 'x-forwarded-proto': 'https' }
    assert.equal(await handshake(baseUrl(), callId, alice!, { ...viaTls, origin: `https://${own.host}` }), 'open')
    assert.equal(await handshake(baseUrl(), callId, alice!, { ...viaTls, origin: baseUrl() }), 403)
  })

  test('with APP_URL: exactly its origin, whatever the request says', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const server = new AppProcess(3445, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), APP_URL: 'http://127.0.0.1:3445' })
    cleanup(() => server.stop())
    await server.ready('/up')

    assert.equal(await handshake(server.url, callId, alice!, { origin: 'https://127.0.0.1:3445' }), 403, 'wrong scheme')
    assert.equal(await handshake(server.url, callId, alice!, { origin: 'http://127.0.0.1:3446' }), 403, 'wrong port')
    assert.equal(await handshake(server.url, callId, alice!, { 'x-forwarded-proto': 'https', origin: 'https://127.0.0.1:3445' }), 403)
    assert.equal(await handshake(server.url, callId, alice!, { origin: 'http://127.0.0.1:3445' }), 'open')
  }).timeout(40_000)
})
