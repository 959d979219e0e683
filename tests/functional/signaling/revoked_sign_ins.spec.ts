import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { CloseCode } from '#signaling/protocol'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { accept, snapshot, startCall } from '#tests/helpers/calls'
import { CallSocketClient, type Outcome } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { tokenFetch, tokenFor } from '#tests/helpers/tokens'
import { AppProcess } from '#tests/helpers/app_process'
import { TEST_REDIS_URL, printedSkip, reachable, redisForTests } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'

/*
| A call socket lives no longer than the sign-in it was opened with: signing out, "Sign out of
| all other sessions" and a token's expiry close it (docs/signaling.md), on the instance that
| holds it whichever instance the sign-out reached. Revoked tokens: tests/functional/api/token_clients.spec.ts.
*/

const redisUp = await redisForTests()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Generous waits: the machines these run on are shared, and a server process may start slowly. */
const WELCOME_MS = 10_000
const READY_MS = 90_000

/** How the socket ended, or `open` when it is still open after `ms`. */
function outcomeWithin(socket: CallSocketClient, ms: number): Promise<Outcome | 'open'> {
  return Promise.race([socket.closed, sleep(ms).then(() => 'open' as const)])
}

/** A welcomed call socket of `user`, opened on `server` with `browser`'s session cookie. */
async function openSocket(user: User, callId: number, browser: BrowserlessClient, cleanup: (fn: () => void) => void) {
  const socket = await CallSocketClient.as(user, callId, { browser, server: browser.baseUrl })
  cleanup(() => socket.close())
  await socket.next('welcome', () => true, WELCOME_MS).catch(async (error) => {
    throw new Error(`${error.message}; the socket ended with ${JSON.stringify(await outcomeWithin(socket, 0))}`)
  })
  return socket
}

/**
 * The closed socket's place waits out the reconnect grace (CALL_RECONNECT_GRACE, 3 s in tests),
 * then the person has left. Waited for, too, because the server processes outlive a test: a
 * grace still running would leave the next test's call, which has the same ids.
 */
async function placeTimesOut(callId: number, user: User) {
  await until(() => snapshot(callId), ({ statuses }) => statuses[user.id] === 'left', 15_000, `${user.fullName}'s place in call ${callId} to time out`)
}

/**
 * A server with real server-side sessions (the in-process test server keeps them in memory), with
 * or without the Redis bus, once it answers. A port already taken (a server left over from an
 * interrupted run) would answer for it, running whatever code it started with: refused.
 */
async function appProcess(port: number, env: Record<string, string> = {}) {
  if (await reachable('127.0.0.1', port)) throw new Error(`Port ${port} is taken: a server left over from an earlier run?`)
  const server = new AppProcess(port, { SESSION_DRIVER: 'database', VITE_HMR_PORT: String(port + 3), ...env })
  try {
    await server.ready('/health', READY_MS)
  } catch (error) {
    // Nothing else would stop it: the group's teardown never learns of a server that did not start.
    await server.stop()
    throw error
  }
  return server
}

test.group('Revoked sign-ins: session sockets on one instance', (group) => {
  withCleanDatabase(group)
  let server: AppProcess
  group.setup(async () => {
    server = await appProcess(4051)
  })
  group.teardown(() => server?.stop())

  test('signing out closes the call socket of that session (4401), not of another session', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const laptop = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const phone = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const socket = await openSocket(alice!, callId, phone, cleanup)

    // The laptop signing out is no business of the phone's socket.
    assert.equal((await laptop.fetch('/logout', { method: 'DELETE' })).status, 302)
    assert.equal(await outcomeWithin(socket, 1000), 'open')

    assert.equal((await phone.fetch('/logout', { method: 'DELETE' })).status, 302)
    assert.deepEqual(await socket.closed, { code: CloseCode.SessionRevoked, reason: 'You were signed out' })
    // The copy of its cookie cannot bring it back.
    const again = new CallSocketClient(`${server.url.replace('http', 'ws')}/calls/${callId}/signal`, { cookie: phone.cookieHeader, origin: server.url })
    assert.deepEqual(await again.closed, { status: 401 })
    await placeTimesOut(callId, alice!)
  }).timeout(30_000)

  test('"Sign out of all other sessions" closes the other browser\'s socket (4401); this one\'s and others\' stay', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    await accept(client, bob!, callId)
    const stolen = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const here = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const bobsBrowser = await new BrowserlessClient(server.url).login(bob!.email, TEST_PASSWORD)
    const aliceSocket = await openSocket(alice!, callId, stolen, cleanup)
    const bobSocket = await openSocket(bob!, callId, bobsBrowser, cleanup)

    const signOut = await here.fetch('/account/sessions', { method: 'DELETE' })
    assert.equal(signOut.status, 302)
    assert.deepEqual(await aliceSocket.closed, { code: CloseCode.SessionRevoked, reason: 'You were signed out' })
    assert.equal(await outcomeWithin(bobSocket, 500), 'open', "bob's session was not alice's to end")
    // Her place waits out the reconnect grace as after any drop: bob sees her reconnecting, not gone.
    assert.notExists(bobSocket.frames.find((frame) => frame.type === 'participant.left'))

    // This browser's own session is kept: it opens the call's socket in turn.
    const mine = await openSocket(alice!, callId, here, cleanup)
    assert.equal(await outcomeWithin(mine, 300), 'open')
  }).timeout(30_000)
})

test.group('Revoked sign-ins: across instances (Redis)', (group) => {
  withCleanDatabase(group)
  let a: AppProcess
  let b: AppProcess
  group.setup(async () => {
    if (!redisUp) return
    const started = await Promise.allSettled([appProcess(4052, { REDIS_URL: TEST_REDIS_URL }), appProcess(4053, { REDIS_URL: TEST_REDIS_URL })])
    ;[a, b] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined!))
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  })
  group.teardown(async () => {
    await a?.stop()
    await b?.stop()
  })

  test('signed out through instance B, the socket and event stream held by instance A end (4401)', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const browser = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const socket = await openSocket(alice!, callId, browser, cleanup)
    // Another tab of the browser has its event stream (SSE) open on A as well.
    const stream = await browser.openStream()
    cleanup(() => stream.close())

    // The same browser (same cookie, same session) behind a load balancer that sent it to B.
    assert.equal((await browser.at(b.url).fetch('/logout', { method: 'DELETE' })).status, 302)
    assert.equal((await socket.closed).code, CloseCode.SessionRevoked)
    await stream.ended
    await placeTimesOut(callId, alice!)
  })
    .timeout(30_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('"Sign out of all other sessions" on instance B closes the other session\'s socket on instance A (4401)', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const stolen = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const socket = await openSocket(alice!, callId, stolen, cleanup)

    const here = await new BrowserlessClient(b.url).login(alice!.email, TEST_PASSWORD)
    assert.equal((await here.fetch('/account/sessions', { method: 'DELETE' })).status, 302)
    assert.equal((await socket.closed).code, CloseCode.SessionRevoked)
    await placeTimesOut(callId, alice!)
  })
    .timeout(30_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

test.group('Revoked sign-ins: token sockets end with their token', (group) => {
  withCleanDatabase(group)

  test('a socket opened with an expiring token closes when it expires (4419); one with a 30-day token stays', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    // Long enough to open both sockets on a busy machine; the database may keep whole seconds only (MySQL DATETIME).
    const expiring = await tokenFor(alice!, '8s')
    // Longer than the 24.8 days a single Node timer can wait: it must not fire at once.
    const lasting = await tokenFor(bob!, '30d')
    const started = await tokenFetch(expiring.value, `/channels/${(await channelWith([alice!, bob!])).id}/calls`, { method: 'POST', json: { kind: 'audio' } })
    const callId = (await started.json()).call.id
    assert.equal((await tokenFetch(lasting.value, `/calls/${callId}/participation`, { method: 'POST' })).status, 200)
    const expiresAt = (await db.from('auth_access_tokens').where('id', expiring.id).firstOrFail()).expires_at
    const aliceSocket = CallSocketClient.withToken(expiring.value, callId)
    const bobSocket = CallSocketClient.withToken(lasting.value, callId)
    cleanup(() => aliceSocket.close())
    cleanup(() => bobSocket.close())
    await aliceSocket.next('welcome', () => true, WELCOME_MS)
    await bobSocket.next('welcome', () => true, WELCOME_MS)

    assert.deepEqual(await aliceSocket.closed, { code: CloseCode.TokenExpired, reason: 'Your access token expired' })
    const lateMs = Date.now() - new Date(expiresAt).getTime()
    assert.isAtLeast(lateMs, 0, 'not before the token expired')
    assert.isBelow(lateMs, 3000, "at its expiry, give or take a busy machine's timer lag (not a periodic sweep)")
    assert.equal(await outcomeWithin(bobSocket, 500), 'open')
    assert.deepEqual(await CallSocketClient.withToken(expiring.value, callId).closed, { status: 401 })
  }).timeout(30_000)
})
