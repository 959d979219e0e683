import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { test } from '@japa/runner'
import { Redis } from 'ioredis'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { TEST_REDIS_URL, printedSkip, reachable, redisForTests } from '#tests/helpers/services'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { expireDeadline, snapshot } from '#tests/helpers/calls'
import { until } from '#tests/helpers/waiting'
import { CloseCode } from '#signaling/protocol'
import Call from '#models/call'
import { Nginx } from '#tests/helpers/nginx'

const redisUp = await redisForTests()
const nginxMissing = !Nginx.available()
if (nginxMissing) {
  const message = 'nginx is not installed (apt-get install -y nginx)'
  if (process.env.REQUIRE_NGINX === '1') throw new Error(`The nginx test is required (REQUIRE_NGINX=1): ${message}`)
  console.log(`Scale-out test through nginx skipped: ${message}`)
}

/** Two real Confab processes sharing the test database, with or without Redis between them. */
function twoInstances(
  env: Record<string, string>,
  cleanup: (fn: () => Promise<void>) => void,
  ports: [number, number] = [3393, 3394]
): Promise<{ a: AppProcess; b: AppProcess }> {
  const shared = {
    NODE_ENV: 'test',
    SQLITE_PATH: app.tmpPath('test.sqlite3'),
    // Sessions in the shared database: any instance can read any session (no sticky sessions).
    SESSION_DRIVER: 'database',
    ...env,
  }
  const a = new AppProcess(ports[0], shared)
  const b = new AppProcess(ports[1], shared)
  cleanup(() => a.stop())
  cleanup(() => b.stop())
  return Promise.all([a.ready('/health'), b.ready('/health')]).then(() => ({ a, b }))
}

test.group('Scale-out: several instances behind one address', (group) => {
  withCleanDatabase(group)

  /** bob listens for rings on B; alice starts a call on A. */
  async function ringFromAToB({ a, b }: { a: AppProcess; b: AppProcess }, cleanup: (fn: () => Promise<void>) => void) {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const bobOnB = await new BrowserlessClient(b.url).login(bob!.email, TEST_PASSWORD)
    const stream = await bobOnB.openStream()
    cleanup(async () => stream.close())
    const subscribed = (await stream.subscribe(`users/${bob!.id}`)).status
    const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const started = await aliceOnA.fetch(`/channels/${channel.id}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ kind: 'audio' }),
    })
    const ring = () => stream.waitFor(`users/${bob!.id}`, (payload) => payload.type === 'call.ringing', 5000)
    return { subscribed, started: started.status, callId: (await started.json()).call.id, ring }
  }

  test('a ring started on instance A reaches a browser subscribed on instance B (Redis)', async ({ assert, cleanup }) => {
    const instances = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const { subscribed, started, callId, ring } = await ringFromAToB(instances, cleanup)

    assert.deepEqual([subscribed, started], [204, 201])
    assert.equal((await ring()).callId, callId)
    const health = await (await fetch(`${instances.b.url}/health`)).json()
    assert.deepEqual(health.checks.map((check: any) => check.status), ['ok', 'ok'])
    assert.equal(health.checks[1].name, 'Redis health check')
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('without Redis, the same ring stays on instance A (what the Redis transport fixes)', async ({ assert, cleanup }) => {
    const instances = await twoInstances({}, cleanup)
    const { subscribed, started, ring } = await ringFromAToB(instances, cleanup)

    assert.deepEqual([subscribed, started], [204, 201])
    await assert.rejects(ring, /No matching event/)
  }).timeout(60_000)
})

/** A call between alice and bob (both joined over HTTP on instance A) in a fresh channel. */
async function joinedCall(a: AppProcess) {
  const [alice, bob] = await people(2)
  const channel = await channelWith([alice!, bob!])
  const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
  const bobOnA = await new BrowserlessClient(a.url).login(bob!.email, TEST_PASSWORD)
  const json = { 'content-type': 'application/json', 'accept': 'application/json' }
  const started = await aliceOnA.fetch(`/channels/${channel.id}/calls`, { method: 'POST', headers: json, body: '{"kind":"video"}' })
  const callId = (await started.json()).call.id as number
  await bobOnA.fetch(`/calls/${callId}/participation`, { method: 'POST', headers: json })
  return { alice: alice!, bob: bob!, callId, aliceOnA, bobOnA }
}

type Cleanup = (fn: () => Promise<void>) => void

/** alice's call socket on instance A, then bob's on B, each past its welcome; bob's welcome too. */
async function aliceOnABobOnB(call: { alice: User; bob: User; callId: number }, a: AppProcess, b: AppProcess, cleanup: Cleanup) {
  const aliceSocket = await CallSocketClient.as(call.alice, call.callId, { server: a.url })
  cleanup(async () => aliceSocket.close())
  await aliceSocket.next('welcome')
  const bobSocket = await CallSocketClient.as(call.bob, call.callId, { server: b.url })
  cleanup(async () => bobSocket.close())
  return { aliceSocket, bobSocket, bobsWelcome: await bobSocket.next('welcome') }
}

test.group('Scale-out: call signaling across instances', (group) => {
  withCleanDatabase(group)

  test('participants on different instances exchange signal and media; end on A closes B with 4410', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const call = await joinedCall(a)
    const { alice, bob } = call
    const { aliceSocket, bobSocket, bobsWelcome: welcome } = await aliceOnABobOnB(call, a, b, cleanup)
    assert.equal(welcome.participants.find((p) => p.userId === alice.id)!.connection, 'connected')
    assert.equal((await aliceSocket.next('participant.joined')).participant.userId, bob.id)

    const offer = { description: { type: 'offer', sdp: 'v=0' } }
    for (let index = 0; index < 5; index++) {
      aliceSocket.send({ type: 'signal', to: bob.id, data: { candidate: { candidate: `candidate:${index}` } } })
    }
    aliceSocket.send({ type: 'signal', to: bob.id, data: offer })
    const received = await bobSocket.next('signal', (frame) => 'description' in frame.data)
    assert.deepEqual(received, { type: 'signal', from: alice.id, fromPeer: null, data: offer })
    const order = bobSocket.frames.filter((frame) => frame.type === 'signal').map((frame: any) => frame.data.candidate?.candidate ?? 'offer')
    assert.deepEqual(order, ['candidate:0', 'candidate:1', 'candidate:2', 'candidate:3', 'candidate:4', 'offer'], 'in order')

    bobSocket.send({ type: 'media', audio: false, video: true, screen: false })
    assert.deepEqual(await aliceSocket.next('media'), { type: 'media', userId: bob.id, audio: false, video: true, screen: false })

    aliceSocket.send({ type: 'end' })
    assert.equal((await bobSocket.next('call.ended')).reason, 'ended_by_initiator')
    assert.equal((await bobSocket.closed).code, CloseCode.CallEnded)
    assert.equal((await aliceSocket.closed).code, CloseCode.CallEnded)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('one connection per person and call across instances: connecting on B replaces A', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const { alice, callId } = await joinedCall(a)

    const onA = await CallSocketClient.as(alice, callId, { server: a.url })
    await onA.next('welcome')
    const onB = await CallSocketClient.as(alice, callId, { server: b.url })
    cleanup(async () => onB.close())
    assert.isTrue((await onB.next('welcome')).participants.some((p) => p.userId === alice.id))

    assert.equal((await onA.next('error')).code, 'replaced')
    assert.equal((await onA.closed).code, CloseCode.Replaced)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('SIGKILL of an instance mid-call: the participant reconnects to the other within the grace; the call goes on, then ends once', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL, CALL_RECONNECT_GRACE: '4' }, cleanup)
    const { alice, bob, callId } = await joinedCall(a)
    const aliceSocket = await CallSocketClient.as(alice, callId, { server: b.url })
    cleanup(async () => aliceSocket.close())
    await aliceSocket.next('welcome')
    const bobOnA = await CallSocketClient.as(bob, callId, { server: a.url, peerId: '0b5e7a1c-9d2f-4e3b-8a6c-1f2e3d4c5b6a' })
    await bobOnA.next('welcome')

    await a.kill()
    assert.equal((await bobOnA.closed).code, 1006)
    const bobOnB = await CallSocketClient.as(bob, callId, { server: b.url, peerId: '0b5e7a1c-9d2f-4e3b-8a6c-1f2e3d4c5b6a' })
    cleanup(async () => bobOnB.close())
    await bobOnB.next('welcome')
    const back = await aliceSocket.next('participant.joined', (frame) => frame.participant.userId === bob.id && frame.reconnected)
    assert.equal(back.participant.peerId, '0b5e7a1c-9d2f-4e3b-8a6c-1f2e3d4c5b6a')

    await new Promise((resolve) => setTimeout(resolve, 5000))
    let state = await snapshot(callId)
    assert.equal(state.call.status, 'active')
    assert.deepEqual(state.statuses, { [alice.id]: 'joined', [bob.id]: 'joined' })

    bobOnB.send({ type: 'leave' })
    await aliceSocket.next('participant.left')
    aliceSocket.send({ type: 'leave' })
    await aliceSocket.closed
    state = await until(() => snapshot(callId), (current) => current.call.status !== 'active', 5000, 'the call to end')
    assert.equal(state.call.status, 'ended')
    assert.equal(state.call.endReason, 'everyone_left')
    assert.lengthOf(await Call.query().where('channel_id', state.call.channelId), 1)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

test.group('Scale-out: graceful shutdown', (group) => {
  withCleanDatabase(group)

  test('SIGTERM tells the call sockets to reconnect elsewhere (1001) before exiting', async ({ assert, cleanup }) => {
    const { a } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const { alice, callId } = await joinedCall(a)
    const socket = await CallSocketClient.as(alice, callId, { server: a.url })
    await socket.next('welcome')

    await a.terminate()

    const closed = await socket.closed
    assert.equal(closed.code, CloseCode.GoingAway)
    assert.equal(closed.reason, 'Server restarting, reconnect')
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

test.group('Scale-out: timers with two instances', (group) => {
  withCleanDatabase(group)

  test('a ring expires exactly once with both sweepers running, and still when the arming instance died', async ({ assert, cleanup }) => {
    // Development mode runs the call sweeper (every 5 s) on both instances.
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL, NODE_ENV: 'development', CALL_RECONNECT_GRACE: '120' }, cleanup)
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const bobOnB = await new BrowserlessClient(b.url).login(bob!.email, TEST_PASSWORD)
    const stream = await bobOnB.openStream()
    cleanup(async () => stream.close())
    await stream.subscribe(`users/${bob!.id}`)
    const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const json = { 'content-type': 'application/json', 'accept': 'application/json' }
    const start = async () =>
      (await (await aliceOnA.fetch(`/channels/${channel.id}/calls`, { method: 'POST', headers: json, body: '{"kind":"audio"}' })).json()).call.id as number

    const first = await start()
    await expireDeadline(first)
    await until(() => snapshot(first), (state) => state.call.status === 'missed', 12_000, 'a sweeper to expire the ring')
    await new Promise((resolve) => setTimeout(resolve, 6000)) // one more sweep on each instance
    assert.lengthOf(stream.received(`users/${bob!.id}`).filter((event) => event.type === 'call.missed' && event.callId === first), 1)

    const second = await start()
    await a.kill()
    await expireDeadline(second)
    const { statuses } = await until(() => snapshot(second), (state) => state.call.status === 'missed', 12_000, "B's sweeper to expire A's ring")
    assert.equal(statuses[bob!.id], 'missed')
  })
    .timeout(90_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

test.group('Scale-out: behind nginx (deploy/nginx/confab.conf)', (group) => {
  withCleanDatabase(group)

  test('one address for two instances, plain round robin: pages, SSE messages, rings, ring stops and the call WebSocket all work through the proxy', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const proxy = await new Nginx(app.tmpPath('nginx'), 3380, [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]).start()
    cleanup(() => proxy.stop())
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const json = { 'content-type': 'application/json', 'accept': 'application/json' }

    const bobBrowser = await new BrowserlessClient(proxy.url).login(bob!.email, TEST_PASSWORD)
    const stream = await bobBrowser.openStream()
    cleanup(async () => stream.close())
    // Round robin (one nginx worker): consecutive requests alternate between the two instances,
    // so one of these two subscribes reaches the instance that does not hold the stream.
    assert.equal((await stream.subscribe(`users/${bob!.id}`)).status, 204)
    assert.equal((await stream.subscribe(`channels/${channel.id}`)).status, 204)

    const aliceBrowser = await new BrowserlessClient(proxy.url).login(alice!.email, TEST_PASSWORD)
    const posted = await aliceBrowser.fetch(`/channels/${channel.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
      body: new URLSearchParams({ body: 'through the proxy' }),
    })
    assert.equal(posted.status, 200)
    assert.include((await stream.waitFor(`channels/${channel.id}`, (event) => event.type === 'message.posted', 5000)).html, 'through the proxy')
    const started = await aliceBrowser.fetch(`/channels/${channel.id}/calls`, { method: 'POST', headers: json, body: '{"kind":"video"}' })
    assert.equal(started.status, 201)
    const callId = (await started.json()).call.id
    assert.equal((await stream.waitFor(`users/${bob!.id}`, (event) => event.type === 'call.ringing', 5000)).callId, callId)
    assert.equal((await bobBrowser.fetch(`/calls/${callId}/participation`, { method: 'POST', headers: json })).status, 200)
    const stopped = await stream.waitFor(`users/${bob!.id}`, (event) => event.type === 'call.ring_stopped', 5000)
    assert.deepEqual([stopped.callId, stopped.reason], [callId, 'accepted_elsewhere'])

    const aliceSocket = await CallSocketClient.as(alice!, callId, { server: proxy.url, browser: aliceBrowser })
    cleanup(async () => aliceSocket.close())
    await aliceSocket.next('welcome')
    const bobSocket = await CallSocketClient.as(bob!, callId, { server: proxy.url, browser: bobBrowser })
    cleanup(async () => bobSocket.close())
    await bobSocket.next('welcome')
    await aliceSocket.next('participant.joined')
    aliceSocket.send({ type: 'signal', to: bob!.id, data: { description: { type: 'offer', sdp: 'v=0' } } })
    assert.equal((await bobSocket.next('signal')).from, alice!.id)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp || nginxMissing, 'needs Redis and nginx'))
})

/** Posts a message as `browser` (htmx-style, with the XSRF header), as the composer does. */
async function post(browser: BrowserlessClient, channelId: number, body: string) {
  const response = await browser.fetch(`/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
    body: new URLSearchParams({ body }),
  })
  if (response.status !== 200) throw new Error(`Posting answered ${response.status}`)
}

/**
 * User ids restart with every truncation, while Redis keeps the stream slots that a SIGKILLed
 * instance of an earlier test left behind (for their 45 s TTL): forget them between tests.
 */
async function forgetSseStreams() {
  const redis = new Redis(TEST_REDIS_URL)
  const keys = await redis.keys('confab:sse:*')
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}

test.group('Scale-out: SSE subscriptions reach the instance holding the stream', (group) => {
  withCleanDatabase(group)
  group.each.setup(() => (redisUp ? forgetSseStreams() : undefined))

  /** bob's stream is held by A; alice posts on A. `bobOnB` is bob's same session talking to B. */
  async function bobStreamOnA({ a, b }: { a: AppProcess; b: AppProcess }, cleanup: (fn: () => Promise<void>) => void) {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!, bob!], 'private')
    const bobOnA = await new BrowserlessClient(a.url).login(bob!.email, TEST_PASSWORD)
    const bobOnB = bobOnA.at(b.url)
    const stream = await bobOnA.openStream()
    cleanup(async () => stream.close())
    const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const malloryOnB = await new BrowserlessClient(b.url).login(mallory!.email, TEST_PASSWORD)
    return { bob: bob!, channel, bobOnA, bobOnB, stream, aliceOnA, malloryOnB }
  }

  test('subscribe and unsubscribe through B take effect on the stream A holds; someone else cannot drive it from B', async ({ assert, cleanup }) => {
    const instances = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup, [3421, 3422])
    const { channel, bob, stream, bobOnB, aliceOnA, malloryOnB } = await bobStreamOnA(instances, cleanup)
    const topic = `channels/${channel.id}`

    assert.equal((await stream.subscribe(topic, bobOnB)).status, 204)
    await post(aliceOnA, channel.id, 'first')
    assert.include((await stream.waitFor(topic, (event) => event.type === 'message.posted', 5000)).html, 'first')

    // Ownership holds across instances: mallory on B gets the same 404 as for an unknown uid.
    assert.equal((await stream.unsubscribe(topic, malloryOnB)).status, 404)
    assert.equal((await stream.subscribe(`users/${bob.id}`, malloryOnB)).status, 404)

    assert.equal((await stream.unsubscribe(topic, bobOnB)).status, 204)
    await post(aliceOnA, channel.id, 'second')
    await assert.rejects(() => stream.waitFor(topic, (event) => event.html?.includes('second'), 1000), /No matching event/)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test("leaving the channel on B drops the subscription A holds", async ({ assert, cleanup }) => {
    const instances = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup, [3421, 3422])
    const { channel, stream, bobOnA, bobOnB, aliceOnA } = await bobStreamOnA(instances, cleanup)
    const topic = `channels/${channel.id}`
    assert.equal((await stream.subscribe(topic, bobOnA)).status, 204)

    const left = await bobOnB.fetch(`/channels/${channel.id}/membership`, { method: 'DELETE', headers: { accept: 'application/json' } })
    assert.include([302, 303], left.status)
    await post(aliceOnA, channel.id, 'after bob left')
    await assert.rejects(() => stream.waitFor(topic, () => true, 1000), /No matching event/)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('the per-person stream cap counts both instances, and a stream closed on A frees a slot for B', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL, SSE_MAX_STREAMS_PER_USER: '3' }, cleanup, [3421, 3422])
    const [alice] = await people(1)
    const onA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const onB = onA.at(b.url)
    const streams = [await onA.openStream(), await onA.openStream(), await onB.openStream()]
    cleanup(async () => streams.forEach((stream) => stream.close()))

    for (const client of [onA, onB]) {
      const refused = await client.requestStream(crypto.randomUUID())
      assert.equal(refused.response.status, 429)
      assert.equal(refused.response.headers.get('retry-after'), '45')
    }
    streams[0]!.close()
    const status = await until(
      async () => {
        const attempt = await onB.requestStream(crypto.randomUUID())
        attempt.controller.abort()
        return attempt.response.status
      },
      (current) => current === 200,
      5000,
      "A's closed stream to free its slot"
    )
    assert.equal(status, 200)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test("SIGTERM ends the instance's streams and frees their slots at once, so the pages get them back on B", async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL, SSE_MAX_STREAMS_PER_USER: '1' }, cleanup, [3421, 3422])
    const [alice] = await people(1)
    const onA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const stream = await onA.openStream()
    cleanup(async () => stream.close())
    assert.equal((await onA.at(b.url).requestStream(crypto.randomUUID())).response.status, 429)

    // An open stream used to hold the HTTP server's graceful close for about a minute.
    const exited = await Promise.race([a.terminate().then(() => true), new Promise((resolve) => setTimeout(resolve, 10_000, false))])
    assert.isTrue(exited, 'the instance exits within 10 s of SIGTERM')
    await stream.ended
    // A new page (another uid) fits at once: the slot did not wait for its TTL.
    const fresh = await onA.at(b.url).requestStream(crypto.randomUUID())
    fresh.controller.abort()
    assert.equal(fresh.response.status, 200)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))

  test('when the holder dies, a subscribe through B answers 503 at once; the page reconnecting to B takes its uid over', async ({ assert, cleanup }) => {
    const instances = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup, [3421, 3422])
    const { channel, stream, bobOnB, aliceOnA } = await bobStreamOnA(instances, cleanup)
    const topic = `channels/${channel.id}`

    await instances.a.kill()
    await stream.ended
    const refused = await stream.subscribe(topic, bobOnB)
    assert.equal(refused.status, 503)
    assert.match((await refused.json()).errors[0].message, /did not answer/)

    // EventSource reconnects with the same uid; nginx sends it to the surviving instance.
    const reconnected = await bobOnB.openStream(stream.uid)
    cleanup(async () => reconnected.close())
    assert.equal((await reconnected.subscribe(topic, bobOnB)).status, 204)
    const aliceOnB = aliceOnA.at(instances.b.url)
    await post(aliceOnB, channel.id, 'after the crash')
    assert.include((await reconnected.waitFor(topic, () => true, 5000)).html, 'after the crash')
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

const redisServerMissing = spawnSync('redis-server', ['--version']).status !== 0

test.group('Scale-out: SSE while Redis is away', (group) => {
  withCleanDatabase(group)

  test('streams and subscribes answer 503 (not 500, no internals) while Redis is down, and work again once it is back', async ({ assert, cleanup }) => {
    // A Redis of our own (port 3429) that this test may stop; the machine's stays untouched.
    const startRedis = () =>
      spawn('redis-server', ['--port', '3429', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    let redis = startRedis()
    cleanup(async () => void redis.kill('SIGKILL'))
    await until(() => reachable('127.0.0.1', 3429), (up) => up, 5000, 'the test Redis to listen')
    const instance = new AppProcess(3423, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), SESSION_DRIVER: 'database', REDIS_URL: 'redis://127.0.0.1:3429/0' })
    cleanup(() => instance.stop())
    await instance.ready('/health')
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await new BrowserlessClient(instance.url).login(alice!.email, TEST_PASSWORD)
    const stream = await browser.openStream()
    cleanup(async () => stream.close())

    redis.kill('SIGKILL')
    await once(redis, 'exit')
    const refused = await browser.requestStream(crypto.randomUUID())
    assert.equal(refused.response.status, 503)
    assert.deepEqual(await refused.response.json(), { errors: [{ message: 'Live updates are unavailable for a moment: retry' }] })
    const subscribe = await stream.subscribe(`channels/${channel.id}`)
    assert.equal(subscribe.status, 503)
    assert.notInclude(await subscribe.text(), 'ECONNREFUSED')

    redis = startRedis()
    const reopened = await until(
      async () => {
        const attempt = await browser.requestStream(crypto.randomUUID())
        attempt.controller.abort()
        return attempt.response.status
      },
      (status) => status === 200,
      15_000,
      'streams to open again once Redis is back'
    )
    assert.equal(reopened, 200)
  })
    .timeout(60_000)
    .skip(...printedSkip(redisServerMissing, 'redis-server is not installed (apt-get install -y redis-server)'))
})

test.group('Scale-out: raised hands across instances', (group) => {
  withCleanDatabase(group)

  test('a hand raised on B is seen on A and in a welcome there; the initiator on A lowers it on B', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup, [3500, 3501])
    const call = await joinedCall(a)
    const { alice, bob, callId } = call
    const { aliceSocket, bobSocket } = await aliceOnABobOnB(call, a, b, cleanup)
    await aliceSocket.next('participant.joined')

    bobSocket.send({ type: 'hand', raised: true })
    const raised = await aliceSocket.next('hand')
    assert.include(raised, { userId: bob.id, raised: true, by: bob.id })
    // A page of alice's that (re)connects on A learns bob's hand from the shared presence.
    const again = await until(
      async () => {
        const socket = await CallSocketClient.as(alice, callId, { server: a.url })
        cleanup(async () => socket.close())
        return { socket, welcome: await socket.next('welcome') }
      },
      ({ welcome }) => welcome.participants.some((p) => p.userId === bob.id && p.handRaisedAt === raised.raisedAt),
      5000,
      "bob's hand in a welcome on A"
    )

    again.socket.send({ type: 'hand', raised: false, userId: bob.id })
    assert.deepEqual(await bobSocket.next('hand', (frame) => !frame.raised), { type: 'hand', userId: bob.id, raised: false, raisedAt: null, by: alice.id })
    assert.equal((await again.socket.next('hand')).raised, false)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})
