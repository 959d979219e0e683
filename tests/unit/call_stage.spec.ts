import { test } from '@japa/runner'
import { CallStage, type StageControls, type StageEnd, type Tile } from '../../resources/js/calls/call_stage.js'
import { Mesh } from '../../resources/js/calls/mesh.js'
import { SignalingClient } from '../../resources/js/calls/signaling_client.js'
import { LocalMedia } from '../../resources/js/calls/local_media.js'
import { Emitter } from '../../resources/js/calls/emitter.js'
import type { Quality } from '../../resources/js/calls/quality_meter.js'
import { CloseCode, type ParticipantInfo } from '#signaling/protocol'
import { FakeMediaStream, FakePeerConnection, FakeSocket, FakeTrack, flush, installMediaStream } from '#tests/helpers/fake_webrtc'

/** The active-speaker detector's surface, recording what it was asked to watch. */
class FakeSpeakers extends Emitter<{ speaker: number | null }> {
  watched = new Map<number, unknown>()
  closed = false
  watch(id: number, stream: unknown) {
    if (stream) this.watched.set(id, stream)
    else this.watched.delete(id)
  }
  unwatch(id: number) {
    this.watched.delete(id)
  }
  close() {
    this.closed = true
  }
  say(id: number | null) {
    this.emit('speaker', id)
  }
}

/** Devices with a microphone and, unless told otherwise, a camera. */
function fakeDevices({ camera = true } = {}) {
  return {
    async getUserMedia(constraints: MediaStreamConstraints) {
      if (constraints.video && !camera) throw Object.assign(new Error('none'), { name: 'NotFoundError' })
      const tracks = [new FakeTrack('audio')]
      if (constraints.video) tracks.push(new FakeTrack('video'))
      return new FakeMediaStream(tracks) as unknown as MediaStream
    },
    async getDisplayMedia() {
      return new FakeMediaStream([]) as unknown as MediaStream
    },
    async enumerateDevices() {
      return []
    },
  }
}

const person = (userId: number, name: string, peerId = `page-${userId}`): ParticipantInfo => ({
  userId,
  name,
  audio: true,
  video: true,
  screen: false,
  connection: 'connected',
  peerId,
})

async function setup(options: { camera?: boolean } = {}) {
  FakeSocket.opened = []
  FakePeerConnection.created = []
  const media = new LocalMedia(fakeDevices(options))
  await media.start('video')
  const signaling = new SignalingClient({ url: 'ws://test/calls/1/signal', createSocket: (url) => new FakeSocket(url) })
  const mesh = new Mesh({ signaling, media, createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection })
  const speakers = new FakeSpeakers()
  const meters: Array<{ pc: unknown; next: Quality }> = []
  const stage = new CallStage({
    media,
    signaling,
    mesh,
    speakers,
    createMeter: (pc) => {
      const meter = { pc, next: { level: 'unknown', rttMs: null, lossPercent: null, inboundKbps: null } as Quality }
      meters.push(meter)
      return { sample: async () => meter.next }
    },
  })
  const seen = { tiles: [] as Tile[][], controls: [] as StageControls[], ended: [] as StageEnd[], speakers: [] as Array<number | null> }
  stage.on('tiles', (tiles) => seen.tiles.push(tiles))
  stage.on('controls', (controls) => seen.controls.push(controls))
  stage.on('ended', (end) => seen.ended.push(end))
  stage.on('speaker', (userId) => seen.speakers.push(userId))
  signaling.connect()
  const socket = FakeSocket.opened[0]!
  socket.open()
  const welcome = (participants: ParticipantInfo[]) =>
    socket.receive({
      type: 'welcome',
      self: { userId: 1, name: 'alice martin' },
      call: { id: 1, kind: 'video', status: 'active', initiatorId: 1, answeredAt: null, maxParticipants: 8 },
      participants,
      iceServers: [],
      iceTransportPolicy: 'all',
      topology: 'mesh',
    })
  return { stage, media, mesh, socket, speakers, meters, seen, welcome }
}

test.group('CallStage', (group) => {
  group.each.setup(() => installMediaStream())

  test('turns the participants into tiles, with each stream, initials and speaker watching', async ({ assert }) => {
    const { stage, media, speakers, seen, welcome } = await setup()
    welcome([person(1, 'alice martin'), person(2, 'Bob  Stone')])
    await flush()

    const tiles = seen.tiles.at(-1)!
    assert.deepEqual(
      tiles.map(({ userId, initials, self, peerState, quality, qualityText }) => ({ userId, initials, self, peerState, quality, qualityText })),
      [
        { userId: 1, initials: 'AM', self: true, peerState: 'self', quality: 'unknown', qualityText: 'Measuring connection…' },
        { userId: 2, initials: 'BS', self: false, peerState: 'new', quality: 'unknown', qualityText: 'Measuring connection…' },
      ]
    )
    assert.strictEqual(stage.streamOf(1, true), media.stream)
    assert.isUndefined(stage.streamOf(2, false), 'no stream from bob yet')

    // Bob's media arrives on his connection: his tile plays it and his voice is watched.
    const bobStream = new FakeMediaStream([new FakeTrack('audio')])
    FakePeerConnection.created[0]!.emitTrack(bobStream.tracks[0]!, [bobStream])
    const played = stage.streamOf(2, false) as unknown as FakeMediaStream
    assert.deepEqual(played.getTracks(), bobStream.tracks)
    assert.strictEqual(speakers.watched.get(2), played as unknown)
    speakers.say(2)
    assert.deepEqual(seen.speakers, [2])
  })

  test('someone leaving loses their tile, stream and speaker watch', async ({ assert }) => {
    const { stage, socket, speakers, seen, welcome } = await setup()
    welcome([person(1, 'Alice'), person(2, 'Bob')])
    await flush()
    const bobStream = new FakeMediaStream([new FakeTrack('audio')])
    FakePeerConnection.created[0]!.emitTrack(bobStream.tracks[0]!, [bobStream])

    socket.receive({ type: 'participant.left', userId: 2, reason: 'left' })
    assert.deepEqual(seen.tiles.at(-1)!.map((tile) => tile.userId), [1])
    assert.isUndefined(stage.streamOf(2, false))
    assert.isFalse(speakers.watched.has(2))
  })

  test("each connection's quality is measured and described on its tile; a new page gets a new meter", async ({ assert }) => {
    const { stage, socket, meters, seen, welcome } = await setup()
    welcome([person(1, 'Alice'), person(2, 'Bob')])
    await flush()
    assert.lengthOf(meters, 1)
    assert.strictEqual(meters[0]!.pc, FakePeerConnection.created[0])

    meters[0]!.next = { level: 'poor', rttMs: 612.4, lossPercent: 9.25, inboundKbps: 140.6 }
    await stage.measure()
    const bob = seen.tiles.at(-1)!.find((tile) => tile.userId === 2)!
    assert.equal(bob.quality, 'poor')
    assert.equal(bob.qualityText, 'Connection poor: round trip 612 ms, loss 9.3%, 141 kbit/s in')

    // Bob reloads: a fresh connection, measured by a fresh meter from the next render on.
    socket.receive({ type: 'participant.joined', participant: person(2, 'Bob', 'page-2-reloaded'), reconnected: true })
    socket.receive({ type: 'signal', from: 2, fromPeer: 'page-2-reloaded', data: { description: { type: 'offer', sdp: 'o' } } })
    await flush()
    await stage.measure()
    assert.lengthOf(meters, 2)
    assert.strictEqual(meters[1]!.pc, FakePeerConnection.created[1])
  })

  test('my controls are read from LocalMedia on each of its state events', async ({ assert }) => {
    const { stage, media, seen } = await setup()
    assert.deepEqual(stage.controls, { muted: false, cameraOff: false, sharing: false })

    media.setMuted(true)
    media.setCameraOff(true)
    assert.deepEqual(seen.controls, [
      { muted: true, cameraOff: false, sharing: false },
      { muted: true, cameraOff: true, sharing: false },
    ])
    media.setMuted(false)
    assert.deepEqual(seen.controls.at(-1), { muted: false, cameraOff: true, sharing: false })

    const withoutCamera = await setup({ camera: false })
    assert.deepEqual(withoutCamera.stage.controls, { muted: false, cameraOff: true, sharing: false })
  })

  test("the call socket's call.ended frame ends the stage once; the 4410 close after it changes nothing", async ({ assert }) => {
    const { stage, media, socket, speakers, seen, welcome } = await setup()
    welcome([person(1, 'Alice'), person(2, 'Bob')])
    await flush()
    const myTracks = [...media.stream.getTracks()] as unknown as FakeTrack[]

    socket.receive({ type: 'call.ended', endedBy: 2, reason: 'ended_by_initiator' })
    socket.drop(CloseCode.CallEnded, 'This call has ended')

    assert.deepEqual(seen.ended, [{ message: 'The call has ended.', callEnded: true, reason: 'ended_by_initiator' }])
    assert.isTrue(stage.ended)
    assert.isTrue(FakePeerConnection.created.every((pc) => pc.closed))
    assert.deepEqual(socket.closedWith, { code: CloseCode.Normal, reason: 'bye' })
    assert.isTrue(speakers.closed)
    assert.isTrue(myTracks.every((track) => track.stopped))
    // Nothing moves on a stage that is over.
    const rendered = seen.tiles.length
    await stage.measure()
    assert.lengthOf(seen.tiles, rendered)
  })

  test('a final close without the frame ends the stage with its reason: 4410 after a reconnect, 4000 when replaced', async ({ assert }) => {
    const ended = await setup()
    ended.socket.drop(CloseCode.CallEnded, 'This call has ended')
    assert.deepEqual(ended.seen.ended, [{ message: 'The call has ended.', callEnded: false, reason: null }])

    const replaced = await setup()
    replaced.socket.drop(CloseCode.Replaced, 'replaced')
    replaced.socket.drop(CloseCode.CallEnded, 'again')
    assert.deepEqual(replaced.seen.ended, [
      { message: 'You opened this call in another tab or device; this page is no longer connected.', callEnded: false, reason: null },
    ])
  })
})
