import { test } from '@japa/runner'
import { loggedErrors } from '#tests/helpers/logging'
import type { WebSocket } from 'ws'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { RawCallSocket } from '#tests/helpers/raw_call_socket'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { accept, snapshot, startCall } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'
import callHub from '#signaling/call_hub'
import callsConfig from '#config/calls'
import CallParticipant from '#models/call_participant'
import { until } from '#tests/helpers/waiting'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The server side of every call socket opened from now on, in the order they connect. */
function serverSockets(cleanup: (fn: () => void) => void) {
  const sockets: WebSocket[] = []
  const connect = callHub.connect
  callHub.connect = function (ws, ...rest) {
    sockets.push(ws)
    return connect.call(this, ws, ...rest)
  }
  cleanup(() => {
    delete (callHub as any).connect
  })
  return sockets
}

/** Makes the hub's presence read (the last await before admission) take `ms`, as a slow Redis would. */
function slowPresence(ms: number, cleanup: (fn: () => void) => void) {
  const bus = (callHub as any).bus
  const presence = bus.presence
  bus.presence = async (...args: unknown[]) => {
    await sleep(ms)
    return presence.apply(bus, args)
  }
  cleanup(() => {
    delete bus.presence
  })
}

async function callWith(client: any, count: number) {
  const everyone = await people(count)
  const channel = await channelWith(everyone)
  const callId = (await startCall(client, everyone[0]!, channel, 'video')).body().call.id as number
  for (const person of everyone.slice(1)) await accept(client, person, callId)
  return { everyone, callId }
}

async function openAll(users: User[], callId: number, cleanup: (fn: () => void) => void) {
  const sockets: CallSocketClient[] = []
  for (const user of users) {
    const socket = await CallSocketClient.as(user, callId)
    cleanup(() => socket.close())
    await socket.next('welcome')
    sockets.push(socket)
  }
  return sockets
}

test.group('Call WebSocket: refused sockets are not read', (group) => {
  withCleanDatabase(group)

  test('a refused client that ignores the close and floods is not read, and is dropped within ~1 s', async ({ client, assert, cleanup }) => {
    const [alice, bob, mallory] = await people(3)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const server = serverSockets(cleanup)

    const raw = await RawCallSocket.open(mallory!, callId)
    cleanup(() => raw.destroy())
    await raw.closeFrame()
    assert.equal(raw.closeCode, CloseCode.NoSuchCall)
    // 2,000 × 60 KB: the ~120 MB of the issue, had the server kept reading.
    const flooding = raw.flood(2000, 60 * 1024)
    await Promise.race([raw.ended, sleep(4000)])
    const handedToKernel = await flooding

    const bytesRead = (server[0] as any)._socket.bytesRead as number
    console.log(`refused flooder: ${handedToKernel} bytes written by the client, ${bytesRead} read by the server`)
    assert.isNotNull(raw.endedAt, 'the server drops a client that never finishes the close')
    assert.isBelow(raw.endedAt! - raw.closeFrameAt!, 2000)
    // A paused Node stream still fills its own buffer once (highWaterMark, 64 KiB): that much, no more.
    assert.isBelow(bytesRead, 256 * 1024, 'the server read (nearly) nothing after its close')
  }).timeout(10_000)

  test('a well-behaved refused client gets its close code at once', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const ringing = await CallSocketClient.as(bob!, callId)
    await ringing.opened
    const openedAt = Date.now()
    assert.equal((await ringing.closed).code, CloseCode.NotParticipant)
    // Not after the drop that awaits a client ignoring the close (callsConfig.refusedCloseMs).
    assert.isBelow(Date.now() - openedAt, callsConfig.refusedCloseMs)
  })

  test('an admitted socket may send only so many bytes before its welcome (4008)', async ({ client, assert, cleanup }) => {
    const { everyone, callId } = await callWith(client, 2)
    slowPresence(400, cleanup)
    const bob = await CallSocketClient.as(everyone[1]!, callId)
    cleanup(() => bob.close())
    await bob.opened
    const padded = JSON.stringify({ type: 'media', audio: true, video: true, screen: false, pad: 'x'.repeat(60_000) })
    for (let index = 0; index < 30; index++) bob.ws.send(padded) // 1.8 MB > callsConfig.earlyBytes

    const closed = await bob.closed
    assert.deepEqual(closed, { code: CloseCode.Flood, reason: 'Too many frames before the welcome' })
    assert.notInclude(bob.frames.map((frame) => frame.type), 'welcome')
    assert.equal((await snapshot(callId)).statuses[everyone[1]!.id], 'joined', 'a refused connection changes nothing')
  })

  test('an oversize frame before the welcome closes the socket (1009); the server lives on', async ({ client, assert, cleanup }) => {
    const { everyone, callId } = await callWith(client, 2)
    slowPresence(300, cleanup)
    const bob = await CallSocketClient.as(everyone[1]!, callId)
    cleanup(() => bob.close())
    await bob.opened
    bob.ws.send('x'.repeat(70_000))

    assert.equal((await bob.closed).code, CloseCode.TooBig)
    const alice = await CallSocketClient.as(everyone[0]!, callId)
    cleanup(() => alice.close())
    await alice.next('welcome')
  })

  test('an admitted socket may send only so many frames before its welcome (4008)', async ({ client, assert, cleanup }) => {
    const { everyone, callId } = await callWith(client, 2)
    slowPresence(400, cleanup)
    const bob = await CallSocketClient.as(everyone[1]!, callId)
    cleanup(() => bob.close())
    await bob.opened
    const media = JSON.stringify({ type: 'media', audio: true, video: true, screen: false })
    for (let index = 0; index <= callsConfig.earlyFrames; index++) bob.ws.send(media)

    assert.deepEqual(await bob.closed, { code: CloseCode.Flood, reason: 'Too many frames before the welcome' })
    assert.notInclude(bob.frames.map((frame) => frame.type), 'welcome')

    // Fewer frames than the bound wait for the welcome and are handled after it, in order.
    const again = await CallSocketClient.as(everyone[1]!, callId)
    cleanup(() => again.close())
    await again.opened
    again.send({ type: 'media', audio: false, video: true, screen: false })
    again.send({ type: 'dance' })
    await again.next('welcome')
    assert.equal((await again.next('error')).code, 'unknown_type')
    await until(
      () => CallParticipant.query().where({ callId, userId: everyone[1]!.id }).firstOrFail(),
      (row) => !row.audioEnabled,
      2000,
      'the early media frame to be handled'
    )
  })
})

test.group('Call WebSocket: a slow reader', (group) => {
  withCleanDatabase(group)

  test('a socket that stops reading is closed with 4503 past the buffer cap; the others go on', async ({ client, assert, cleanup }) => {
    const { everyone, callId } = await callWith(client, 3)
    const [alice, bob, carol] = everyone as [User, User, User]
    const server = serverSockets(cleanup)
    const [aliceSocket, bobSocket, carolSocket] = await openAll([alice, bob, carol], callId, cleanup)
    const bobOnServer = server[1]!
    await aliceSocket!.next('participant.joined', (frame) => frame.participant.userId === carol.id)

    // bob's page stalls: its TCP socket is no longer read, so the kernel buffers fill, then ws's.
    bobSocket!.ws.pause()
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, bobOnServer.bufferedAmount)), 2)
    cleanup(() => clearInterval(sampler))
    const big = { description: { type: 'offer', sdp: 'a'.repeat(60_000) } }
    const frame = JSON.stringify({ type: 'signal', to: bob.id, data: big })
    // 2 × 150 × 60 KB = 18 MB for bob, within each sender's frame burst.
    for (let index = 0; index < 150; index++) {
      aliceSocket!.ws.send(frame)
      carolSocket!.ws.send(frame)
    }
    await new Promise<void>((resolve) => aliceSocket!.ws.send(JSON.stringify({ type: 'media', audio: true, video: true, screen: false }), () => resolve()))
    await carolSocket!.next('media', (media) => media.userId === alice.id, 5000)
    clearInterval(sampler)
    peak = Math.max(peak, bobOnServer.bufferedAmount)

    console.log(`slow reader: peak ${peak} bytes queued in the server (cap ${callsConfig.maxBufferedBytes})`)
    assert.isAtMost(peak, callsConfig.maxBufferedBytes + 1024, 'the server never queues more than the cap')
    bobSocket!.ws.resume()
    const closed = await bobSocket!.closed
    assert.deepEqual(closed, { code: CloseCode.TooSlow, reason: 'Too slow to keep up, reconnect' })
    assert.equal(aliceSocket!.ws.readyState, aliceSocket!.ws.OPEN)
    assert.equal(carolSocket!.ws.readyState, carolSocket!.ws.OPEN)

    // The page reconnects (4503 is not final) and is back in the call.
    const again = await CallSocketClient.as(bob, callId)
    cleanup(() => again.close())
    await again.next('welcome')
    const back = await aliceSocket!.next('participant.joined', (joined) => joined.participant.userId === bob.id && joined.reconnected)
    assert.equal(back.participant.connection, 'connected')
    assert.equal((await snapshot(callId)).statuses[bob.id], 'joined')
  }).timeout(20_000)
})

test.group('Call WebSocket: malformed frames', (group) => {
  withCleanDatabase(group)

  test('frames JSON allows but no client sends get an error frame, never an ERROR log', async ({ client, assert, cleanup }) => {
    const { everyone, callId } = await callWith(client, 2)
    const [alice, bob] = everyone as [User, User]
    const [aliceSocket, bobSocket] = await openAll([alice, bob], callId, cleanup)
    const errorsLogged = loggedErrors(cleanup)

    const cases: Array<[string, string]> = [
      ['{"type":{"toString":1}}', 'invalid_frame'],
      ['{"type":{"toString":1,"valueOf":1}}', 'invalid_frame'],
      ['{"type":["signal"]}', 'invalid_frame'],
      ['{"type":7}', 'invalid_frame'],
      ['{"type":true}', 'invalid_frame'],
      ['null', 'unknown_type'],
      ['42', 'unknown_type'],
      ['"signal"', 'unknown_type'],
      ['[{"type":"leave"}]', 'unknown_type'],
      ['{"__proto__":{"type":"leave"}}', 'unknown_type'],
      ['{"type":"__proto__"}', 'unknown_type'],
      ['{"type":"constructor"}', 'unknown_type'],
      ['{"type":"toString"}', 'unknown_type'],
      ['{"type":null}', 'unknown_type'],
      [`{"type":"signal","to":{"toString":1},"data":{"candidate":null}}`, 'invalid_frame'],
      [`{"type":"signal","to":${bob.id},"data":{"description":{"type":{"toString":1}}}}`, 'invalid_frame'],
      [`{"type":"signal","to":${bob.id},"data":{"candidate":{"candidate":{"toString":1}}}}`, 'invalid_frame'],
      [`{"type":"signal","to":${bob.id},"data":{"__proto__":{"candidate":null}}}`, 'invalid_frame'],
      [`{"type":"signal","to":${bob.id},"data":null}`, 'invalid_frame'],
      [`{"type":"signal","to":${bob.id},"data":[1]}`, 'invalid_frame'],
      ['{"type":"media","audio":{"toString":1},"video":true,"screen":false}', 'invalid_frame'],
      ['{"type":"media","constructor":{"prototype":{"polluted":1}},"audio":true,"video":true,"screen":"no"}', 'invalid_frame'],
      ['['.repeat(5000) + ']'.repeat(5000), 'unknown_type'],
    ]
    for (const [raw] of cases) aliceSocket!.send(raw)
    // One good frame after them all: the socket still works.
    aliceSocket!.send({ type: 'signal', to: bob.id, data: { candidate: null } })
    assert.deepEqual((await bobSocket!.next('signal')).data, { candidate: null })

    // Bob's socket can deliver before alice's last error frames arrive: wait for as many as sent.
    const errorFrames = () => aliceSocket!.frames.filter((frame) => frame.type === 'error') as Array<{ code: string; message: string }>
    const errors = await until(async () => errorFrames(), (found) => found.length >= cases.length, 5000, 'an error frame for every case')
    assert.deepEqual(
      errors.map((frame) => frame.code),
      cases.map(([, code]) => code),
      JSON.stringify(errors)
    )
    assert.equal(errors[0]!.message, 'type: The type field must be a string')
    assert.isEmpty(errorsLogged, 'no ERROR logged')
    assert.isUndefined(({} as any).polluted)
    assert.equal(aliceSocket!.ws.readyState, aliceSocket!.ws.OPEN)
    assert.equal((await snapshot(callId)).call.status, 'active')
  })
})
