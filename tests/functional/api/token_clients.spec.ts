import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { CloseCode } from '#signaling/protocol'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { snapshot, startCall } from '#tests/helpers/calls'
import { CallSocketClient, baseUrl } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { tokenFetch, tokenFor } from '#tests/helpers/tokens'
import { AppProcess } from '#tests/helpers/app_process'
import { TEST_REDIS_URL, printedSkip, redisForTests } from '#tests/helpers/services'

const redisUp = await redisForTests()

/** What a token client must never be handed: a cookie (a session, an XSRF token). */
function assertNoCookies(assert: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, response: Response) {
  assert.deepEqual(response.headers.getSetCookie(), [], `${response.url} set no cookie`)
}

test.group('API tokens: the JSON call routes', (group) => {
  withCleanDatabase(group)

  test('a call from start to end with Bearer tokens alone: no cookie, no CSRF token, none handed out', async ({ assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const [aliceToken, bobToken, carolToken] = await Promise.all([alice!, bob!, carol!].map((person) => tokenFor(person)))

    const started = await tokenFetch(aliceToken.value, `/channels/${channel.id}/calls`, { method: 'POST', json: { kind: 'audio' } })
    assert.equal(started.status, 201)
    assertNoCookies(assert, started)
    const { call, joinedExisting, busy } = await started.json()
    assert.equal(call.initiator.id, alice!.id)
    assert.isFalse(joinedExisting)
    assert.deepEqual(busy, [])

    const ringing = await tokenFetch(bobToken.value, '/calls/ringing')
    assert.equal(ringing.status, 200)
    assertNoCookies(assert, ringing)
    const { rings } = await ringing.json()
    assert.deepEqual(rings.map((ring: any) => [ring.callId, ring.caller.id]), [[call.id, alice!.id]])

    const accepted = await tokenFetch(bobToken.value, `/calls/${call.id}/participation`, { method: 'POST' })
    assert.equal(accepted.status, 200)
    assert.equal((await accepted.json()).call.status, 'active')
    const declined = await tokenFetch(carolToken.value, `/calls/${call.id}/decline`, { method: 'POST' })
    assert.equal(declined.status, 200)

    const shown = await tokenFetch(bobToken.value, `/calls/${call.id}`)
    assert.equal(shown.status, 200)
    const statuses = Object.fromEntries((await shown.json()).call.participants.map((p: any) => [p.userId, p.status]))
    assert.deepEqual(statuses, { [alice!.id]: 'joined', [bob!.id]: 'joined', [carol!.id]: 'declined' })

    const history = await tokenFetch(carolToken.value, '/calls?tab=all')
    assert.equal(history.status, 200)
    assert.deepEqual((await history.json()).entries.map((entry: any) => entry.call.id), [call.id])

    // A client that carries media may report its connection's quality, with its token alone.
    const report = { peerUserId: alice!.id, localCandidateType: 'host', remoteCandidateType: 'host', rttMs: 3 }
    const reported = await tokenFetch(bobToken.value, `/calls/${call.id}/quality_reports`, { method: 'POST', json: report })
    assert.equal(reported.status, 204)
    assert.equal((await db.from('call_qualities').where('call_id', call.id).count('* as n').first()).n, 1)

    const left = await tokenFetch(bobToken.value, `/calls/${call.id}/participation`, { method: 'DELETE' })
    assert.equal(left.status, 200)
    // Only the initiator may end the call, with a token as with a session.
    const notAllowed = await tokenFetch(bobToken.value, `/calls/${call.id}/end`, { method: 'POST' })
    assert.equal(notAllowed.status, 403)
    const ended = await tokenFetch(aliceToken.value, `/calls/${call.id}/end`, { method: 'POST' })
    assert.equal(ended.status, 200)
    assertNoCookies(assert, ended)
    assert.equal((await snapshot(call.id)).call.status, 'ended')

    // The token records its use, as the account page shows it.
    const row = await db.from('auth_access_tokens').where('id', aliceToken.id).firstOrFail()
    assert.isNotNull(row.last_used_at)
  })

  test('errors keep the documented shape; a member check still holds (404)', async ({ assert }) => {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!, bob!])
    const token = await tokenFor(mallory!)

    const outsider = await tokenFetch(token.value, `/channels/${channel.id}/calls`, { method: 'POST', json: { kind: 'video' } })
    assert.equal(outsider.status, 404)
    assert.deepEqual(await outsider.json(), { errors: [{ code: 'E_ROW_NOT_FOUND', message: 'Row not found' }] })
    const mine = await channelWith([mallory!, bob!])
    const badKind = await tokenFetch(token.value, `/channels/${mine.id}/calls`, { method: 'POST', json: { kind: 'hologram' } })
    assert.equal(badKind.status, 422)
    assert.equal((await badKind.json()).errors[0].field, 'kind')
  })

  test('a revoked or expired token is refused (401) on the next request, with WWW-Authenticate', async ({ client, assert }) => {
    const [alice] = await people(1)
    const revoked = await tokenFor(alice!)
    const expired = await tokenFor(alice!, '1h')
    assert.equal((await tokenFetch(revoked.value, '/calls/ringing')).status, 200)
    assert.equal((await tokenFetch(expired.value, '/calls/ringing')).status, 200)

    const revoke = await client.delete(`/account/tokens/${revoked.id}`).loginAs(alice!).accept('json').withCsrfToken()
    revoke.assertStatus(204)
    await db.from('auth_access_tokens').where('id', expired.id).update({ expires_at: new Date(Date.now() - 1000) })

    for (const token of [revoked, expired]) {
      const refused = await tokenFetch(token.value, '/calls/ringing')
      assert.equal(refused.status, 401)
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer')
      assert.deepEqual(await refused.json(), { errors: [{ message: 'Unauthorized access' }] })
      assertNoCookies(assert, refused)
    }
    // A made-up token, or a token's id with someone else's secret, is no better.
    const [id] = revoked.value.slice(4).split('.')
    const forged = `oat_${id}.${expired.value.split('.')[1]}`
    assert.equal((await tokenFetch(forged, '/calls/ringing')).status, 401)
    assert.equal((await tokenFetch('oat_bm9wZQ.bm9wZQ', '/calls/ringing')).status, 401)
  })

  test('a Bearer header signs nobody in on a page: HTML routes stay session-only', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const token = await tokenFor(alice!)
    const started = await (await tokenFetch(token.value, `/channels/${channel.id}/calls`, { method: 'POST', json: { kind: 'audio' } })).json()

    for (const path of ['/channels', `/channels/${channel.id}`, `/calls/${started.call.id}`, '/calls', '/account']) {
      const page = await tokenFetch(token.value, path, { headers: { accept: 'text/html' } })
      assert.equal(page.status, 302, path)
      assert.equal(page.headers.get('location'), '/login', path)
    }
    // Not even a JSON request, on a route that does not take tokens.
    const messages = await tokenFetch(token.value, `/channels/${channel.id}/messages`, { method: 'POST', json: { body: 'hi' } })
    assert.equal(messages.status, 401)
  })

  test('cookie requests still need the CSRF token (403), with or without a Bearer header', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const token = await tokenFor(alice!)

    const session = await client.post(`/channels/${channel.id}/calls`).loginAs(alice!).accept('json').json({ kind: 'audio' })
    session.assertStatus(403)
    assert.equal(session.body().errors[0].message, 'Invalid or expired CSRF token')

    // A session cookie makes it a browser's request, whatever else it carries.
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const both = await fetch(`${baseUrl()}/channels/${channel.id}/calls`, {
      method: 'POST',
      headers: { 'cookie': browser.cookieHeader, 'authorization': `Bearer ${token.value}`, 'accept': 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'audio' }),
    })
    assert.equal(both.status, 403)
    assert.lengthOf(await db.from('calls'), 0)
  })
})

test.group('API tokens: no session is stored for a token request', (group) => {
  withCleanDatabase(group)
  let server: AppProcess
  group.setup(async () => {
    // The in-process test server keeps sessions in memory; this one in the `sessions` table.
    server = new AppProcess(3470, { SESSION_DRIVER: 'database', VITE_HMR_PORT: '24770' })
    await server.ready()
  })
  group.teardown(() => server.stop())

  test('JSON calls and the socket upgrade with a token leave no session row; a cookieless visit does', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const token = await tokenFor(alice!)
    const sessionRows = async () => Number((await db.from('sessions').count('* as total'))[0].total)
    const before = await sessionRows()

    const started = await tokenFetch(token.value, `/channels/${channel.id}/calls`, { method: 'POST', json: { kind: 'audio' }, server: server.url })
    assert.equal(started.status, 201)
    assert.equal((await tokenFetch(token.value, '/calls/ringing', { server: server.url })).status, 200)
    const refused = await tokenFetch('oat_bm9wZQ.bm9wZQ', '/calls/ringing', { server: server.url })
    assert.equal(refused.status, 401)
    const page = await tokenFetch(token.value, '/channels', { server: server.url, headers: { accept: 'text/html' } })
    assert.equal(page.status, 302)
    const socket = CallSocketClient.withToken(token.value, (await started.json()).call.id, server.url)
    cleanup(() => socket.close())
    await socket.next('welcome')
    assert.equal(await sessionRows(), before)

    // The same server does store a visitor's session (for Shield's CSRF secret): the count can move.
    await fetch(`${server.url}/health`)
    assert.equal(await sessionRows(), before + 1)
  })
})

test.group('API tokens: the call WebSocket', (group) => {
  withCleanDatabase(group)

  test('a token opens the socket with no cookie and no Origin; a bad token is 401 before the handshake', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel, 'audio')).body().call.id
    const token = await tokenFor(alice!)

    const socket = CallSocketClient.withToken(token.value, callId)
    cleanup(() => socket.close())
    const welcome = await socket.next('welcome')
    assert.deepEqual(welcome.self, { userId: alice!.id, name: alice!.fullName })

    const made_up = CallSocketClient.withToken('oat_bm9wZQ.bm9wZQ', callId)
    assert.deepEqual(await made_up.closed, { status: 401 })
    // The call's rules hold for token clients too: bob rings, he has not joined.
    const bobToken = await tokenFor(bob!)
    const ringing = CallSocketClient.withToken(bobToken.value, callId)
    assert.equal((await ringing.closed).code, CloseCode.NotParticipant)
  })

  test('a session cookie with a Bearer header is still a browser: the Origin check applies', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const token = await tokenFor(alice!)
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)

    const socket = new CallSocketClient(`${baseUrl().replace('http', 'ws')}/calls/${callId}/signal`, {
      cookie: browser.cookieHeader,
      authorization: `Bearer ${token.value}`,
      origin: 'https://evil.example',
    })
    assert.deepEqual(await socket.closed, { status: 403 })
  })

  test('revoking the token closes its open socket (4401) and refuses the next upgrade (401)', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const token = await tokenFor(alice!)
    const other = await tokenFor(alice!)

    const socket = CallSocketClient.withToken(token.value, callId)
    cleanup(() => socket.close())
    await socket.next('welcome')

    // Revoking another of her tokens leaves this socket alone.
    ;(await client.delete(`/account/tokens/${other.id}`).loginAs(alice!).accept('json').withCsrfToken()).assertStatus(204)
    ;(await client.delete(`/account/tokens/${token.id}`).loginAs(alice!).accept('json').withCsrfToken()).assertStatus(204)
    const closed = await socket.closed
    assert.deepEqual(closed, { code: CloseCode.TokenRevoked, reason: 'Your access token was revoked' })

    const again = CallSocketClient.withToken(token.value, callId)
    assert.deepEqual(await again.closed, { status: 401 })
  })

  test('revoked on instance B, the token socket held by instance A closes too (Redis)', async ({ assert, cleanup }) => {
    const shared = { SESSION_DRIVER: 'database', REDIS_URL: TEST_REDIS_URL }
    const a = new AppProcess(3471, { ...shared, VITE_HMR_PORT: '24771' })
    const b = new AppProcess(3472, { ...shared, VITE_HMR_PORT: '24772' })
    cleanup(() => a.stop())
    cleanup(() => b.stop())
    await Promise.all([a.ready(), b.ready()])
    const [alice, bob] = await people(2)
    const token = await tokenFor(alice!)
    const started = await tokenFetch(token.value, `/channels/${(await channelWith([alice!, bob!])).id}/calls`, { method: 'POST', json: { kind: 'audio' }, server: a.url })
    const socket = CallSocketClient.withToken(token.value, (await started.json()).call.id, a.url)
    cleanup(() => socket.close())
    await socket.next('welcome')

    const aliceOnB = await new BrowserlessClient(b.url).login(alice!.email, TEST_PASSWORD)
    const revoked = await aliceOnB.fetch(`/account/tokens/${token.id}`, { method: 'DELETE', headers: { accept: 'application/json' } })
    assert.equal(revoked.status, 204)
    assert.equal((await socket.closed).code, CloseCode.TokenRevoked)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})
