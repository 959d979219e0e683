import { test } from '@japa/runner'
import { SfuSession } from '../../resources/js/calls/sfu_session.js'
import { Mesh } from '../../resources/js/calls/mesh.js'
import { SignalingClient } from '../../resources/js/calls/signaling_client.js'
import { Emitter } from '../../resources/js/calls/emitter.js'
import type { ClientFrame, ParticipantInfo } from '#signaling/protocol'
import { FakeMediaStream, FakePeerConnection, FakeSocket, FakeTrack, flush, installMediaStream } from '#tests/helpers/fake_webrtc'

function session() {
  FakePeerConnection.created = []
  const sent: ClientFrame[] = []
  const sfu = new SfuSession({
    send: (frame) => sent.push(frame),
    createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection,
    createStream: () => new FakeMediaStream() as unknown as MediaStream,
  })
  return { sfu, sent }
}

/** A track arriving on the subscriber connection, on the m-line `mid`. */
function arrive(pc: FakePeerConnection, track: FakeTrack, mid: string) {
  pc.ontrack?.({ track, streams: [], transceiver: { mid } })
}

const streams = [
  { mid: '0', userId: 2, kind: 'audio' as const },
  { mid: '1', userId: 2, kind: 'video' as const },
  { mid: '2', userId: 3, kind: 'video' as const },
]

test.group('SfuSession', () => {
  test('start publishes the tracks with an offer and asks to subscribe; the answer completes the publisher', async ({ assert }) => {
    const { sfu, sent } = session()
    const tracks = [new FakeTrack('audio'), new FakeTrack('video')]
    await sfu.start({ iceServers: [] }, tracks as unknown as MediaStreamTrack[])
    const publisher = FakePeerConnection.created[0]!
    assert.deepEqual(publisher.added.map((entry) => entry.track), tracks)
    assert.deepEqual(sent, [
      { type: 'sfu.publish', jsep: { type: 'offer', sdp: 'offer-1' } },
      { type: 'sfu.subscribe' },
    ])

    // Janus's candidate before its answer waits for the answer.
    await sfu.receive({ type: 'sfu.trickle', target: 'publisher', candidate: { candidate: 'candidate:1' } })
    assert.deepEqual(publisher.candidates, [])
    await sfu.receive({ type: 'sfu.answer', jsep: { type: 'answer', sdp: 'janus-answer' } })
    assert.equal(publisher.signalingState, 'stable')
    assert.deepEqual(publisher.candidates, [{ candidate: 'candidate:1' }])

    publisher.emitCandidate('candidate:mine')
    publisher.emitCandidate(null)
    assert.deepEqual(sent.slice(2), [
      { type: 'sfu.trickle', target: 'publisher', candidate: { candidate: 'candidate:mine', sdpMid: '0', sdpMLineIndex: 0 } },
      { type: 'sfu.trickle', target: 'publisher', candidate: null },
    ])
  })

  test('the server’s offer is answered with sfu.start; tracks join one stream per person', async ({ assert }) => {
    const { sfu, sent } = session()
    await sfu.start({}, [])
    const received: Array<{ userId: number; tracks: number }> = []
    sfu.on('stream', ({ userId, stream }) => received.push({ userId, tracks: stream.getTracks().length }))

    await sfu.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'janus-offer' }, streams })
    const subscriber = FakePeerConnection.created[1]!
    assert.equal(subscriber.remoteDescription?.sdp, 'janus-offer')
    assert.deepEqual(sent.at(-1), { type: 'sfu.start', jsep: { type: 'answer', sdp: 'answer-1' } })

    arrive(subscriber, new FakeTrack('audio'), '0')
    arrive(subscriber, new FakeTrack('video'), '1')
    arrive(subscriber, new FakeTrack('video'), '2')
    arrive(subscriber, new FakeTrack('video'), '9') // an m-line nobody is on: ignored
    assert.deepEqual(received, [
      { userId: 2, tracks: 1 },
      { userId: 2, tracks: 2 },
      { userId: 3, tracks: 1 },
    ])
  })

  test('a renegotiation without someone says they are gone; close closes both connections, twice safely', async ({ assert }) => {
    const { sfu } = session()
    await sfu.start({}, [])
    await sfu.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'o1' }, streams })
    arrive(FakePeerConnection.created[1]!, new FakeTrack('video'), '2')
    const gone: number[] = []
    sfu.on('gone', (userId) => gone.push(userId))

    await sfu.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'o2' }, streams: streams.slice(0, 2) })
    assert.deepEqual(gone, [3])
    assert.lengthOf(FakePeerConnection.created, 2, 'the same subscriber connection, renegotiated')

    sfu.close()
    sfu.close()
    assert.isTrue(FakePeerConnection.created.every((pc) => pc.closed))
  })
})

class StubMedia extends Emitter<{ track: { kind: 'audio' | 'video'; track: unknown }; state: { audio: boolean; video: boolean; screen: boolean } }> {
  stream = new FakeMediaStream()
  tracks = [new FakeTrack('audio'), new FakeTrack('video')]
  state = { audio: true, video: true, screen: false }
}

const person = (userId: number): ParticipantInfo => ({
  userId,
  name: `Person ${userId}`,
  audio: true,
  video: true,
  screen: false,
  connection: 'connected',
  peerId: `page-${userId}`,
})

/** A Mesh with an SFU session on a fake socket, welcomed by the server into a call of two. */
async function welcomedMesh(topology: 'mesh' | 'sfu') {
  FakeSocket.opened = []
  FakePeerConnection.created = []
  const signaling = new SignalingClient({ url: 'ws://test/calls/1/signal', createSocket: (url) => new FakeSocket(url) })
  const createPeerConnection = (config: RTCConfiguration) => new FakePeerConnection(config) as unknown as RTCPeerConnection
  const newSession = () => new SfuSession({ send: (frame) => signaling.send(frame), createPeerConnection })
  const sfu = newSession()
  // The first session is this one; each later move to the SFU gets a fresh one.
  let first = true
  const mesh = new Mesh({ signaling, media: new StubMedia() as any, createPeerConnection, sfu: () => (first ? ((first = false), sfu) : newSession()) })
  signaling.connect()
  const socket = FakeSocket.opened[0]!
  socket.open()
  socket.receive({
    type: 'welcome',
    self: { userId: 1, name: 'Person 1' },
    call: { id: 1, kind: 'video', status: 'active', initiatorId: 1, answeredAt: null, maxParticipants: 8 },
    participants: [person(1), person(2)],
    iceServers: [],
    iceTransportPolicy: 'all',
    topology,
  })
  await flush()
  return { mesh, sfu, socket }
}

test.group('Mesh in an SFU call', (group) => {
  group.each.setup(() => installMediaStream())

  test('the welcome says sfu: no peer connection per person, the SFU session publishes, its streams reach the participants', async ({ assert }) => {
    const { mesh, sfu, socket } = await welcomedMesh('sfu')
    assert.lengthOf(mesh.sessions, 0)
    assert.strictEqual(mesh.sfu, sfu)
    assert.deepEqual(socket.sent.map((frame) => frame.type), ['media', 'sfu.publish', 'sfu.subscribe'])
    // A mesh signal from someone is not answered in an SFU call.
    socket.receive({ type: 'signal', from: 2, fromPeer: 'page-2', data: { description: { type: 'offer', sdp: 'o' } } })
    await flush()
    assert.lengthOf(mesh.sessions, 0)

    socket.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'janus' }, streams: [{ mid: '0', userId: 2, kind: 'video' }] })
    await flush()
    await flush()
    const subscriber = FakePeerConnection.created[1]!
    arrive(subscriber, new FakeTrack('video'), '0')
    const bob = mesh.participants.find((participant) => participant.userId === 2)!
    assert.isNotNull(bob.stream)
    subscriber.setConnectionState('connected')
    assert.equal(mesh.participants.find((participant) => participant.userId === 2)!.peerState, 'connected')

    mesh.close()
    assert.isTrue(FakePeerConnection.created.every((pc) => pc.closed))
  })
})

test.group('Mesh moving to the SFU (make-before-break)', (group) => {
  group.each.setup(() => installMediaStream())

  test('a topology frame starts the SFU; the mesh connection closes only once the SFU stream plays', async ({ assert }) => {
    const { mesh, socket } = await welcomedMesh('mesh')
    const meshPc = FakePeerConnection.created[0]!
    assert.lengthOf(mesh.sessions, 1)
    meshPc.emitTrack(new FakeTrack('video'), [new FakeMediaStream()])
    const bob = () => mesh.participants.find((participant) => participant.userId === 2)!
    const meshStream = bob().stream
    assert.isNotNull(meshStream)

    socket.receive({ type: 'topology', topology: 'sfu' })
    await flush()
    assert.include(socket.sent.map((frame) => frame.type), 'sfu.publish')
    socket.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'janus' }, streams: [{ mid: '0', userId: 2, kind: 'video' }] })
    await flush()
    await flush()
    const sfuTrack = Object.assign(new FakeTrack('video'), { muted: true })
    arrive(FakePeerConnection.created.at(-1)!, sfuTrack, '0')
    assert.isFalse(meshPc.closed, 'no SFU media yet: the mesh stays')
    assert.strictEqual(bob().stream as unknown, meshStream)

    sfuTrack.muted = false
    sfuTrack.dispatchEvent(new Event('unmute'))
    assert.isTrue(meshPc.closed, 'the SFU plays: the mesh connection closes')
    assert.lengthOf(mesh.sessions, 0)
    assert.notStrictEqual(bob().stream as unknown, meshStream)
    assert.include(bob().stream!.getTracks() as unknown[], sfuTrack)
    mesh.close()
  })
})

test.group('Mesh going back from the SFU (make-before-break)', (group) => {
  group.each.setup(() => installMediaStream())

  test('topology mesh: the lower id offers a mesh connection; the SFU closes only once it plays, and says sfu.leave', async ({ assert }) => {
    const { mesh, sfu, socket } = await welcomedMesh('sfu')
    socket.receive({ type: 'sfu.offer', jsep: { type: 'offer', sdp: 'janus' }, streams: [{ mid: '0', userId: 2, kind: 'video' }] })
    await flush()
    await flush()
    const sfuTrack = Object.assign(new FakeTrack('video'), { muted: false })
    arrive(sfu.subscriber as unknown as FakePeerConnection, sfuTrack, '0')
    const bob = () => mesh.participants.find((participant) => participant.userId === 2)!
    assert.include(bob().stream!.getTracks() as unknown[], sfuTrack)

    socket.receive({ type: 'topology', topology: 'mesh' })
    await flush()
    // Person 1 has the lower id: it offers to person 2.
    assert.lengthOf(mesh.sessions, 1)
    const meshPc = FakePeerConnection.created.at(-1)!
    assert.isTrue(socket.sent.some((frame) => frame.type === 'signal' && frame.to === 2))
    const meshTrack = Object.assign(new FakeTrack('video'), { muted: true })
    meshPc.emitTrack(meshTrack, [new FakeMediaStream([meshTrack])])
    assert.isFalse((sfu.subscriber as unknown as FakePeerConnection).closed, 'the mesh does not play yet: the SFU stays')
    assert.include(bob().stream!.getTracks() as unknown[], sfuTrack, 'the tile still shows the SFU')

    meshTrack.muted = false
    meshTrack.dispatchEvent(new Event('unmute'))
    assert.isTrue((sfu.publisher as unknown as FakePeerConnection).closed)
    assert.isTrue((sfu.subscriber as unknown as FakePeerConnection).closed)
    assert.equal(socket.sent.at(-1)?.type, 'sfu.leave')
    assert.include(bob().stream!.getTracks() as unknown[], meshTrack, 'the tile shows the mesh')
    assert.isUndefined(mesh.sfu, 'off the SFU')
    assert.isFalse(meshPc.closed)

    // Moving to the SFU again later uses a fresh session.
    socket.receive({ type: 'topology', topology: 'sfu' })
    await flush()
    assert.exists(mesh.sfu)
    assert.notStrictEqual(mesh.sfu, sfu)
    assert.equal(socket.sent.filter((frame) => frame.type === 'sfu.publish').length, 2)
    mesh.close()
  })

  test('every lower id offers; a page that missed the move (its welcome says mesh) offers to everyone, as a newcomer', async ({ assert }) => {
    const { mesh, socket } = await welcomedMesh('sfu')
    // Person 3 joined on the SFU, with a higher id than ours (1): we offer to them; person 2 likewise.
    socket.receive({ type: 'participant.joined', participant: person(3), reconnected: false })
    socket.receive({ type: 'topology', topology: 'mesh' })
    await flush()
    assert.sameMembers(mesh.sessions.map((session) => session.remoteUserId), [2, 3])
    mesh.close()

    // As person 2 after a reconnect: the welcome says mesh, so it offers to 1 too (a newcomer's rule).
    const again = await welcomedMesh('sfu')
    again.socket.receive({
      type: 'welcome',
      self: { userId: 2, name: 'Person 2' },
      call: { id: 1, kind: 'video', status: 'active', initiatorId: 1, answeredAt: null, maxParticipants: 8 },
      participants: [person(1), person(2)],
      iceServers: [],
      iceTransportPolicy: 'all',
      topology: 'mesh',
    })
    await flush()
    assert.deepEqual(again.mesh.sessions.map((session) => session.remoteUserId), [1])
    again.mesh.close()
  })
})
