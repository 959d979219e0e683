import { test } from '@japa/runner'
import { baseUrl, callOfThree } from '#tests/helpers/call_socket'
import { BrowserlessClient, type SseStream } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { scrapeMetrics } from '#tests/helpers/metrics'
import { until } from '#tests/helpers/waiting'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { endForEveryone, startCall } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'
import callsConfig from '#config/calls'

const offer = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } }
const REFUSED = 'confab_signaling_frames_refused_total'
const RELAYED = 'confab_signaling_frames_relayed_total'
const CLOSES = 'confab_signaling_closes_total'
const LIMITS = 'confab_rate_limit_refusals_total'
const HTTP = 'confab_http_request_duration_seconds'

test.group('Metrics: signaling and HTTP', (group) => {
  withCleanDatabase(group)

  test('relayed frames count by type, refused ones by reason, closes by code', async ({ client, assert, cleanup }) => {
    const { alice, bob, carol, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    const before = await scrapeMetrics()

    aliceSocket.send({ type: 'signal', to: bob.id, data: offer })
    await bobSocket.next('signal')
    bobSocket.send({ type: 'media', audio: false, video: true, screen: false })
    await aliceSocket.next('media')
    aliceSocket.send('{not json')
    aliceSocket.send({ type: 'dance' })
    aliceSocket.send({ type: 'signal', to: carol.id, data: offer })
    bobSocket.send({ type: 'end' })
    await aliceSocket.next('error', (frame) => frame.code === 'unknown_peer')
    await bobSocket.next('error', (frame) => frame.code === 'not_initiator')

    const after = await scrapeMetrics()
    assert.equal(after.delta(before, RELAYED, { type: 'signal' }), 1)
    assert.equal(after.delta(before, RELAYED, { type: 'media' }), 1)
    for (const reason of ['bad_json', 'unknown_type', 'unknown_peer', 'not_initiator']) {
      assert.equal(after.delta(before, REFUSED, { reason }), 1, reason)
    }
    assert.equal(after.delta(before, REFUSED), 4)
    // The frame type a client made up is not a label: a refusal reason is.
    assert.isFalse(after.has(REFUSED, { reason: 'dance' }))

    ;(await endForEveryone(client, alice, callId)).assertStatus(200)
    assert.equal((await aliceSocket.closed).code, CloseCode.CallEnded)
    const closed = await until(scrapeMetrics, (now) => now.delta(before, CLOSES) >= 2, 3000, 'both closes to be counted')
    assert.equal(closed.delta(before, CLOSES, { code: String(CloseCode.CallEnded) }), 2)
    assert.equal(closed.value('confab_call_sockets'), 0)
  })

  test('a flooding socket counts as a rate-limited frame, a frame-limit refusal and a 4008 close', async ({ client, assert, cleanup }) => {
    const { bob, aliceSocket } = await callOfThree(client, cleanup)
    const before = await scrapeMetrics()

    const frame = JSON.stringify({ type: 'signal', to: bob.id, data: { candidate: null } })
    for (let index = 0; index < callsConfig.frameBurst + 50; index++) aliceSocket.ws.send(frame)
    assert.equal((await aliceSocket.closed).code, CloseCode.Flood)

    const after = await until(scrapeMetrics, (now) => now.delta(before, CLOSES) >= 1, 3000, 'the close to be counted')
    assert.equal(after.delta(before, REFUSED, { reason: 'rate_limited' }), 1)
    assert.equal(after.delta(before, LIMITS, { limit: 'call_frames' }), 1)
    assert.equal(after.delta(before, CLOSES, { code: String(CloseCode.Flood) }), 1)
  })

  test('a request refused by the call-start limit counts, and so does its 429 by route', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const before = await scrapeMetrics()

    // Past the first, each start joins the live call: it still counts against the limit.
    for (let index = 0; index < callsConfig.startsPerMinute; index++) {
      assert.oneOf((await startCall(client, alice!, channel)).status(), [200, 201])
    }
    ;(await startCall(client, alice!, channel)).assertStatus(429)

    const after = await scrapeMetrics()
    assert.equal(after.delta(before, LIMITS, { limit: 'call_starts' }), 1)
    assert.equal(after.delta(before, LIMITS), 1)
    assert.equal(after.delta(before, `${HTTP}_count`, { method: 'POST', route: '/channels/:id/calls', status: '429' }), 1)
  })

  test('open SSE streams are a gauge, and one past the per-person cap counts as refused', async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const before = await scrapeMetrics()
    const streams: SseStream[] = []
    cleanup(() => streams.forEach((stream) => stream.close()))
    for (let index = 0; index < 10; index++) streams.push(await browser.openStream())

    const open = await scrapeMetrics()
    assert.equal(open.delta(before, 'confab_sse_streams'), 10)
    const refused = await browser.requestStream(crypto.randomUUID())
    assert.equal(refused.response.status, 429)
    const after = await scrapeMetrics()
    assert.equal(after.delta(before, LIMITS, { limit: 'sse_streams' }), 1)

    streams.pop()!.close()
    await until(scrapeMetrics, (now) => now.delta(before, 'confab_sse_streams') === 9, 3000, 'a closed stream to leave the gauge')
  })

  test('a login refused by the login throttle counts', async ({ client, assert }) => {
    const [alice] = await people(1)
    const before = await scrapeMetrics()
    let refused = 0
    for (let attempt = 0; attempt < 10 && refused === 0; attempt++) {
      const response = await client.post('/login').accept('json').form({ email: alice!.email, password: 'not-the-password' }).withCsrfToken()
      if (response.status() === 429) refused++
    }
    assert.equal(refused, 1)
    const after = await scrapeMetrics()
    assert.equal(after.delta(before, LIMITS, { limit: 'login' }), 1)
  })

  test('request durations are labelled by route pattern, not by URL', async ({ client, assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const before = await scrapeMetrics()

    ;(await client.get(`/channels/${channel.id}`).loginAs(alice!)).assertStatus(200)
    ;(await client.get('/no/such/page').accept('json')).assertStatus(404)

    const after = await scrapeMetrics()
    assert.equal(after.delta(before, `${HTTP}_count`, { method: 'GET', route: '/channels/:id', status: '200' }), 1)
    assert.equal(after.delta(before, `${HTTP}_count`, { method: 'GET', route: 'unmatched', status: '404' }), 1)
    const routes = new Set(after.series(`${HTTP}_count`).map((sample) => sample.labels.route))
    assert.isFalse(routes.has(`/channels/${channel.id}`))
    assert.isFalse(routes.has('/no/such/page'))
  })
})
