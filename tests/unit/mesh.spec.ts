import { test } from '@japa/runner'
import { Mesh, videoBudget } from '../../resources/js/calls/mesh.js'
import { SignalingClient } from '../../resources/js/calls/signaling_client.js'
import { Emitter } from '../../resources/js/calls/emitter.js'
import type { ParticipantInfo } from '#signaling/protocol'
import { FakeMediaStream, FakePeerConnection, FakeSocket, FakeTrack, flush, installMediaStream } from '#tests/helpers/fake_webrtc'

/** LocalMedia's surface that Mesh uses. */
class StubMedia extends Emitter<{ track: { kind: 'audio' | 'video'; track: unknown }; state: { audio: boolean; video: boolean; screen: boolean } }> {
  stream = new FakeMediaStream()
  tracks = [new FakeTrack('audio'), new FakeTrack('video')]
  state = { audio: true, video: true, screen: false }
  change(state: StubMedia['state']) {
    this.state = state
    this.emit('state', state)
  }
}

const person = (userId: number, connection: ParticipantInfo['connection'] = 'connected', peerId = `page-${userId}`): ParticipantInfo => ({
  userId,
  name: `Person ${userId}`,
  audio: true,
  video: true,
  screen: false,
  connection,
  peerId,
})

function setup() {
  FakeSocket.opened = []
  FakePeerConnection.created = []
  const signaling = new SignalingClient({ url: 'ws://test/calls/1/signal', createSocket: (url) => new FakeSocket(url) })
  const media = new StubMedia()
  const mesh = new Mesh({
    signaling,
    media: media as any,
    createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection,
  })
  signaling.connect()
  const socket = FakeSocket.opened[0]!
  socket.open()
  const welcome = (participants: ParticipantInfo[]) =>
    socket.receive({
      type: 'welcome',
      self: { userId: 1, name: 'Person 1' },
      call: { id: 1, kind: 'video', status: 'active', initiatorId: 1, answeredAt: null, maxParticipants: 8 },
      participants,
      iceServers: [{ urls: ['stun:stun.test'] }],
      iceTransportPolicy: 'all',
      topology: 'mesh',
    })
  return { mesh, media, socket, welcome }
}

test.group('Mesh', (group) => {
  group.each.setup(() => installMediaStream())

  test('a newcomer opens a connection to everyone connected, offers, and announces its media', async ({ assert }) => {
    const { mesh, socket, welcome } = setup()
    welcome([person(1), person(2), person(3), person(4, 'away')])
    await flush()

    assert.deepEqual(mesh.sessions.map((session) => session.remoteUserId), [2, 3])
    assert.deepEqual(FakePeerConnection.created[0]!.configuration, { iceServers: [{ urls: ['stun:stun.test'] }], iceTransportPolicy: 'all' })
    const offers = socket.sent.filter((frame) => frame.type === 'signal').map((frame) => [frame.to, frame.data.description?.type])
    assert.deepEqual(offers, [[2, 'offer'], [3, 'offer']])
    assert.deepEqual(socket.sent[0], { type: 'media', audio: true, video: true, screen: false })
    assert.deepEqual(mesh.participants.map((participant) => participant.userId), [1, 2, 3, 4])
  })

  test('someone joining is answered when they offer; leaving closes their connection', async ({ assert }) => {
    const { mesh, socket, welcome } = setup()
    welcome([person(1)])
    socket.receive({ type: 'participant.joined', participant: person(5), reconnected: false })
    assert.lengthOf(mesh.sessions, 0, 'the newcomer offers, we wait')

    socket.receive({ type: 'signal', from: 5, fromPeer: 'page-5', data: { description: { type: 'offer', sdp: 'o' } } })
    await flush()
    assert.deepEqual(mesh.sessions.map((session) => session.remoteUserId), [5])
    assert.include(socket.sent.map((frame) => frame.data?.description?.type), 'answer')

    const pc = FakePeerConnection.created[0]!
    socket.receive({ type: 'participant.left', userId: 5, reason: 'left' })
    assert.isTrue(pc.closed)
    assert.lengthOf(mesh.sessions, 0)
    assert.deepEqual(mesh.participants.map((participant) => participant.userId), [1])
  })

  test('after a signaling reconnect the same pages keep their connections and restart ICE', async ({ assert }) => {
    const { mesh, welcome } = setup()
    welcome([person(1), person(2)])
    const pc = FakePeerConnection.created[0]!
    welcome([person(1), person(2)])
    assert.strictEqual(mesh.session(2)?.pc as unknown, pc)
    assert.equal(pc.restarts, 1)
  })

  test('someone back on a new page gets a fresh connection', async ({ assert }) => {
    const { mesh, socket, welcome } = setup()
    welcome([person(1), person(2)])
    const old = FakePeerConnection.created[0]!

    socket.receive({ type: 'participant.joined', participant: person(2, 'connected', 'page-2-reloaded'), reconnected: true })
    assert.isTrue(old.closed)
    socket.receive({ type: 'signal', from: 2, fromPeer: 'page-2-reloaded', data: { description: { type: 'offer', sdp: 'o' } } })
    await flush()
    assert.notStrictEqual(mesh.session(2)?.pc as unknown, old)
    assert.isFalse((mesh.session(2)!.pc as unknown as FakePeerConnection).closed)
  })

  test('media frames update the participants; my own changes are sent', ({ assert }) => {
    const { mesh, media, socket, welcome } = setup()
    welcome([person(1), person(2)])
    socket.receive({ type: 'media', userId: 2, audio: false, video: false, screen: true })
    media.change({ audio: false, video: true, screen: false })

    const byId = Object.fromEntries(mesh.participants.map((participant) => [participant.userId, participant]))
    assert.deepEqual([byId[2]!.audio, byId[2]!.video, byId[2]!.screen], [false, false, true])
    assert.deepEqual([byId[1]!.audio, byId[1]!.video], [false, true])
    assert.deepEqual(socket.sent.at(-1), { type: 'media', audio: false, video: true, screen: false })
  })

  test('the end of the call closes every connection and says so', ({ assert }) => {
    const { mesh, socket, welcome } = setup()
    const ended: unknown[] = []
    mesh.on('ended', (frame) => ended.push(frame))
    welcome([person(1), person(2), person(3)])

    socket.receive({ type: 'call.ended', endedBy: 2, reason: 'ended_by_initiator' })
    assert.isTrue(FakePeerConnection.created.every((pc) => pc.closed))
    assert.deepEqual(ended, [{ type: 'call.ended', endedBy: 2, reason: 'ended_by_initiator' }])
  })

  test('each sender gets less bitrate and resolution as the mesh grows', ({ assert }) => {
    const budgets = [1, 2, 3, 4, 5, 7].map(videoBudget)
    for (let index = 1; index < budgets.length; index++) {
      assert.isAtMost(budgets[index]!.maxBitrate, budgets[index - 1]!.maxBitrate)
      assert.isAtLeast(budgets[index]!.scaleResolutionDownBy, budgets[index - 1]!.scaleResolutionDownBy)
    }
    assert.isBelow(budgets.at(-1)!.maxBitrate, budgets[0]!.maxBitrate)
  })

  test("a participant's stream holds every track they send, even in separate streams", async ({ assert }) => {
    const { mesh, welcome } = setup()
    const changes: number[] = []
    mesh.on('change', () => changes.push(changes.length))
    welcome([person(1), person(2)])
    await flush()
    const pc = FakePeerConnection.created[0]!
    const audio = new FakeTrack('audio')
    const video = new FakeTrack('video')

    pc.emitTrack(audio, [new FakeMediaStream([audio])])
    pc.emitTrack(video, [new FakeMediaStream([video])])
    const bob = mesh.participants.find((participant) => participant.userId === 2)!
    assert.deepEqual((bob.stream as unknown as FakeMediaStream).getTracks(), [audio, video])
    assert.isAbove(changes.length, 2, 'each arrival re-renders the tiles')
  })
})
