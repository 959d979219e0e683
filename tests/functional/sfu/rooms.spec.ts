import { test } from '@japa/runner'
import { once } from 'node:events'
import { JanusNamespace, JanusServer, janusForGroup } from '#tests/helpers/janus'
import { printedSkip } from '#tests/helpers/services'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, startCall } from '#tests/helpers/calls'
import { until } from '#tests/helpers/waiting'
import { JanusConnection } from '#sfu/janus_connection'
import { VideoRoomAdmin, VIDEOROOM } from '#sfu/video_room_admin'
import rooms from '#sfu/main'
import Call from '#models/call'

const janus = JanusNamespace.availableForTests()

/** An independent look at a Janus through its own API (its own session, not the service's). */
async function observer(server: JanusServer) {
  const connection = new JanusConnection(server.url, { apiSecret: server.apiSecret }).start()
  await connection.ready()
  return { connection, admin: new VideoRoomAdmin(connection) }
}

/** A live call between two people (alice started it, bob accepted): its id. */
async function liveCall(client: Parameters<typeof startCall>[0]) {
  return (await liveCallOf(client)).callId
}

async function liveCallOf(client: Parameters<typeof startCall>[0]) {
  const [alice, bob] = await people(2)
  const channel = await channelWith([alice!, bob!])
  const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
  await accept(client, bob!, callId)
  return { callId, alice: alice! }
}

test.group('SFU rooms: Confab creates and destroys VideoRoom rooms on a real Janus', (group) => {
  withCleanDatabase(group)
  // Both share one secret here only so that one service can use both (JANUS_API_SECRET is one).
  const first = new JanusServer('tmp', { wsPort: 3560, rtpPorts: '20000-20050' })
  const second = new JanusServer('tmp', { wsPort: 3561, rtpPorts: '20051-20100', apiSecret: first.apiSecret })
  janusForGroup(group, [first, second])
  // The app's own service (its listeners destroy rooms of ended calls), pointed at these servers.
  group.each.setup(async () => {
    if (janus.missing) return
    await rooms.use([first.url, second.url], { apiSecret: first.apiSecret, reconnectDelaysMs: [100] })
    await Promise.all(rooms.servers.map((server) => server.connection.ready()))
  })
  group.each.teardown(() => rooms.close())

  test('a call gets a room on Janus, stored with the call; closing it destroys it there', async ({ client, assert, cleanup }) => {
    const callId = await liveCall(client)
    const room = await rooms.openFor(callId, 8)
    const call = await Call.findOrFail(callId)
    assert.equal(call.sfuRoomId, room.room)
    assert.equal(call.sfuServer, room.server)

    const look = await observer(room.server === first.url ? first : second)
    cleanup(() => look.connection.close())
    assert.include(await look.admin.list(), room.room)
    assert.deepEqual(await rooms.openFor(callId, 8), room, 'a second open finds the same room')
    assert.deepEqual(await rooms.participants(room), [])

    await rooms.closeFor(callId)
    assert.notInclude(await look.admin.list(), room.room)
    await call.refresh()
    assert.isNull(call.sfuRoomId)
    assert.isNull(call.sfuServer)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('ending the call for everyone destroys its room in Janus', async ({ client, assert, cleanup }) => {
    const { callId, alice } = await liveCallOf(client)
    const room = await rooms.openFor(callId, 8)
    const look = await observer(room.server === first.url ? first : second)
    cleanup(() => look.connection.close())
    assert.include(await look.admin.list(), room.room)
    const response = await endForEveryone(client, alice, callId)
    assert.isBelow(response.status(), 400)
    const call = await Call.findOrFail(callId)
    assert.equal(call.status, 'ended')
    await until(() => look.admin.list(), (list) => !list.includes(room.room), 5000, 'the room gone from Janus')
    await call.refresh()
    assert.isNull(call.sfuRoomId)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('the room needs its secret to be destroyed and its pin to be joined', async ({ client, assert, cleanup }) => {
    const callId = await liveCall(client)
    const room = await rooms.openFor(callId, 8)
    const look = await observer(room.server === first.url ? first : second)
    cleanup(() => look.connection.close())

    await assert.rejects(() => look.admin.destroy(room.room, 'not-the-secret'), /Unauthorized/)
    assert.include(await look.admin.list(), room.room)

    const handle = await look.connection.attach(VIDEOROOM)
    const join = (pin?: string) => handle.message({ request: 'join', ptype: 'publisher', room: room.room, ...(pin ? { pin } : {}) })
    await assert.rejects(() => join(), /Missing mandatory element \(pin\)|Unauthorized/)
    await assert.rejects(() => join('wrong-pin'), /Unauthorized/)
    const joined = await join(rooms.credentials(room.server, room.room).pin)
    assert.equal(joined.data.videoroom, 'joined')
    assert.deepEqual((await rooms.participants(room)).length, 1)
    await rooms.closeFor(callId)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('the Janus API refuses a client without the apisecret', async ({ assert, cleanup }) => {
    const stranger = new JanusConnection(first.url, { apiSecret: 'wrong', reconnectDelaysMs: [60_000] }).start()
    cleanup(() => stranger.close())
    await assert.rejects(() => stranger.ready(1500), /not reachable/)
    assert.notEqual(stranger.state, 'up')
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('a new room goes to the Janus with the fewest rooms, the first listed on a tie', async ({ client, assert, cleanup }) => {
    const busy = await observer(first)
    cleanup(() => busy.connection.close())
    // Another instance's room on the first server (rooms there count whoever made them).
    await busy.admin.create({ room: 424242, secret: 's', pin: 'p', publishers: 2, description: 'elsewhere' })
    cleanup(() => busy.admin.destroy(424242, 's'))

    const onSecond = await rooms.openFor(await liveCall(client), 8)
    assert.equal(onSecond.server, second.url)
    // Now one each: the tie goes to the first listed.
    const onFirst = await rooms.openFor(await liveCall(client), 8)
    assert.equal(onFirst.server, first.url)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('a Janus that dies is reported, and its restart reconnected', async ({ client, assert }) => {
    const connection = rooms.server(first.url)!.connection
    const down = once(rooms, 'serverDown')
    await first.kill()
    const [url, reason] = await down
    assert.equal(url, first.url)
    assert.match(reason, /closed/)
    assert.equal(connection.state === 'up', false)
    // Meanwhile new rooms go to the server still up.
    assert.equal((await rooms.openFor(await liveCall(client), 8)).server, second.url)

    const up = once(rooms, 'serverUp')
    await first.start()
    const [upUrl, info] = await up
    assert.equal(upUrl, first.url)
    assert.deepEqual(info, { reconnected: true })
    assert.equal(connection.state, 'up')
    assert.deepEqual(await rooms.server(first.url)!.admin.list(), [], 'the restarted Janus has no rooms (they lived in memory)')
  }).skip(...printedSkip(janus.missing, janus.reason))
})
