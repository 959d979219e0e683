import { test } from '@japa/runner'
import sfuRooms from '#sfu/main'
import callsConfig from '#config/calls'
import Call from '#models/call'
import { SFU_LOST_MESSAGE } from '#sfu/call_topology'
import { CallSocketClient, callWithSockets } from '#tests/helpers/call_socket'
import { accept, leave } from '#tests/helpers/calls'
import { JanusNamespace } from '#tests/helpers/janus'
import { appSfuForGroup } from '#tests/helpers/app_sfu'
import { printedSkip } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'
import { withCleanDatabase } from '#tests/helpers/world'

const janus = JanusNamespace.availableForTests()
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }
/** Told to use the SFU: by its welcome (the room existed) or by a `topology` frame since. */
const onSfu = (socket: CallSocketClient) =>
  until(async () => socket.frames.some((frame) => (frame.type === 'welcome' || frame.type === 'topology') && frame.topology === 'sfu'), Boolean, 10_000, 'told sfu')
const topologies = (socket: CallSocketClient) => socket.frames.filter((frame) => frame.type === 'topology').map((frame: any) => frame.topology)

test.group('Call topology with Janus: to the SFU at CALL_SFU_FROM, back at CALL_BACK_TO_MESH_AT, back when Janus is lost', (group) => {
  withCleanDatabase(group)
  const server = appSfuForGroup(group, 5, { rtpPorts: '20000-20050' })

  test('5 joined: topology sfu; 4: stays; 3: topology mesh to everyone, the room cleared at once and destroyed once its last page left', async ({ assert, client, cleanup }) => {
    assert.equal(sfuRooms.backToMeshAt, 3)
    const { everyone, callId, sockets } = await callWithSockets(client, cleanup, 5)
    for (const socket of sockets) await onSfu(socket)
    const call = await Call.findOrFail(callId)
    assert.isNotNull(call.sfuRoomId)
    const room = { server: server.url, room: call.sfuRoomId! }
    // bob publishes (Janus refuses this SDP, but he is in the room): the room waits for him.
    sockets[1]!.send({ type: 'sfu.publish', jsep: offer })
    await until(() => sfuRooms.participants(room), (list) => list.length === 1, 5000, 'bob in the Janus room')

    await leave(client, everyone[4]!, callId)
    await sockets[0]!.next('participant.left', (frame) => frame.userId === everyone[4]!.id)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.notInclude(sockets.flatMap(topologies), 'mesh', 'four people stay on the SFU')
    assert.equal((await Call.findOrFail(callId)).sfuRoomId, room.room)

    await leave(client, everyone[3]!, callId)
    for (const socket of sockets.slice(0, 3)) await socket.next('topology', (frame) => frame.topology === 'mesh', 5000)
    const cleared = await Call.findOrFail(callId)
    assert.isNull(cleared.sfuRoomId, 'later joiners get the mesh at once')
    assert.isNull(cleared.sfuServer)
    // Nobody joining now is told sfu, though the room still holds bob.
    const admin = sfuRooms.servers[0]!.admin
    assert.include(await admin.list(), room.room)
    await accept(client, everyone[3]!, callId)
    const comeback = await CallSocketClient.as(everyone[3]!, callId)
    cleanup(() => comeback.close())
    assert.equal((await comeback.next('welcome')).topology, 'mesh')

    // bob's page plays the mesh and says so: his handles go, and with the last one the room.
    sockets[1]!.send({ type: 'sfu.leave' })
    await until(() => admin.list(), (rooms) => !rooms.includes(room.room), 5000, 'the room destroyed')
    assert.deepEqual(topologies(sockets[2]!), ['mesh'], 'told once')
  })
    .timeout(60_000)
    .skip(...printedSkip(janus.missing, janus.reason))

  test('a room whose page never leaves it is destroyed at the deadline', async ({ assert }) => {
    const { room } = await sfuRoomWithOneInside()
    const admin = sfuRooms.servers[0]!.admin
    const started = Date.now()
    await sfuRooms.retire(room, 1500, 100)
    assert.notInclude(await admin.list(), room.room)
    assert.isAtLeast(Date.now() - started, 1400)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('Janus killed with 3 on the SFU: everyone is told topology mesh, not a failure; the call loses its room', async ({ assert, client, cleanup }) => {
    sfuRooms.sfuFrom = 3
    sfuRooms.backToMeshAt = 1
    cleanup(() => {
      sfuRooms.sfuFrom = 5
      sfuRooms.backToMeshAt = 3
    })
    const { callId, sockets } = await callWithSockets(client, cleanup, 3)
    for (const socket of sockets) await onSfu(socket)
    sockets[1]!.send({ type: 'sfu.publish', jsep: offer })
    await sockets[1]!.next('sfu.feeds', () => true, 5000)
    // Janus refuses this SDP (bob gets sfu_unavailable for it), but bob holds handles: they are lost with Janus.
    await sockets[1]!.next('error', (frame) => frame.code === 'sfu_unavailable', 5000)
    assert.isNotNull((await Call.findOrFail(callId)).sfuRoomId)
    const before = sockets.map((socket) => socket.frames.length)

    cleanup(async () => {
      await server.start()
      await sfuRooms.servers[0]!.connection.ready()
    })
    await server.kill()
    for (const socket of sockets) await socket.next('topology', (frame) => frame.topology === 'mesh', 5000)
    assert.isNull((await Call.findOrFail(callId)).sfuRoomId)
    const errors = sockets.flatMap((socket, index) => socket.frames.slice(before[index]).filter((frame) => frame.type === 'error'))
    assert.notInclude(errors.map((frame: any) => frame.code), 'sfu_unavailable', 'the loss is the call’s matter: no per-person failure')
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('Janus killed with 9 on the SFU (more than the mesh takes): everyone gets sfu_lost with the documented message', async ({ assert, client, cleanup }) => {
    const max = callsConfig.maxParticipants
    callsConfig.maxParticipants = 25
    cleanup(() => {
      callsConfig.maxParticipants = max
    })
    const { callId, sockets } = await callWithSockets(client, cleanup, 9)
    for (const socket of sockets) await onSfu(socket)
    assert.isNotNull((await Call.findOrFail(callId)).sfuRoomId)

    cleanup(async () => {
      await server.start()
      await sfuRooms.servers[0]!.connection.ready()
    })
    await server.kill()
    for (const socket of sockets) {
      const lost = await socket.next('error', (frame) => frame.code === 'sfu_lost', 5000)
      assert.equal(lost.message, SFU_LOST_MESSAGE)
    }
    assert.equal(SFU_LOST_MESSAGE, 'The media server was lost and this call is too large for direct connections (more than 8 people)')
    assert.notInclude(sockets.flatMap(topologies), 'mesh')
    assert.isNull((await Call.findOrFail(callId)).sfuRoomId, 'a Janus that comes back gets a fresh room')
  })
    .timeout(60_000)
    .skip(...printedSkip(janus.missing, janus.reason))
})

/** A room on the test Janus with one publisher inside that never leaves (its own handle). */
async function sfuRoomWithOneInside() {
  const server = sfuRooms.servers[0]!
  const room = 424242
  const { secret, pin } = sfuRooms.credentials(server.url, room)
  await server.admin.create({ room, secret, pin, publishers: 4, description: 'retire test' })
  const handle = await server.connection.attach('janus.plugin.videoroom')
  await handle.message({ request: 'join', ptype: 'publisher', room, pin, id: 99, display: 'stays' })
  return { room: { server: server.url, room }, handle }
}
