import { test } from '@japa/runner'
import { PeerSession } from '../../resources/js/calls/peer_session.js'
import { FakeMediaStream, FakePeerConnection, FakeTrack, flush, installMediaStream } from '#tests/helpers/fake_webrtc'
import type { SignalData } from '#signaling/protocol'

function session(localUserId: number, remoteUserId: number, tracks = [new FakeTrack('audio'), new FakeTrack('video')], offerer = true) {
  const sent: SignalData[] = []
  const peer = new PeerSession({
    localUserId,
    remoteUserId,
    config: { iceServers: [] },
    createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection,
    send: (data) => sent.push(data),
    localTracks: tracks as unknown as MediaStreamTrack[],
    offerer,
  })
  return { peer, pc: peer.pc as unknown as FakePeerConnection, sent }
}

const descriptions = (sent: SignalData[]) => sent.filter((data) => 'description' in data).map((data: any) => data.description.type)

test.group('PeerSession', (group) => {
  group.each.setup(() => installMediaStream())

  test('the peer with the larger user id is polite', ({ assert }) => {
    assert.isTrue(session(5, 3).peer.polite)
    assert.isFalse(session(3, 5).peer.polite)
  })

  test('offers on negotiationneeded and answers an offer', async ({ assert }) => {
    const { peer, pc, sent } = session(1, 2)
    await flush()
    assert.deepEqual(descriptions(sent), ['offer'])

    await peer.receive({ description: { type: 'answer', sdp: 'remote-answer' } })
    assert.equal(pc.signalingState, 'stable')

    await peer.receive({ description: { type: 'offer', sdp: 'remote-offer' } })
    assert.deepEqual(descriptions(sent), ['offer', 'answer'])
    assert.equal(pc.signalingState, 'stable')
  })

  test('colliding offers: the impolite side ignores theirs, the polite side yields and answers', async ({ assert }) => {
    const impolite = session(1, 2)
    const polite = session(2, 1)
    await flush()
    assert.equal(impolite.pc.signalingState, 'have-local-offer')
    assert.equal(polite.pc.signalingState, 'have-local-offer')

    await impolite.peer.receive({ description: { type: 'offer', sdp: 'from-polite' } })
    assert.equal(impolite.pc.signalingState, 'have-local-offer', 'impolite keeps its own offer')

    await polite.peer.receive({ description: { type: 'offer', sdp: 'from-impolite' } })
    assert.deepEqual(descriptions(polite.sent), ['offer', 'answer'])
    assert.equal(polite.pc.signalingState, 'stable')
    // A candidate for the ignored offer must not be an error on the impolite side.
    await impolite.peer.receive({ candidate: { candidate: 'candidate:stale' } })
  })

  test('queues candidates until the remote description is set', async ({ assert }) => {
    const { peer, pc } = session(2, 1, [])
    await peer.receive({ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } })
    await peer.receive({ candidate: { candidate: 'candidate:2', sdpMid: '0', sdpMLineIndex: 0 } })
    assert.lengthOf(pc.candidates, 0)

    await peer.receive({ description: { type: 'offer', sdp: 'offer' } })
    assert.deepEqual(pc.candidates.map((candidate) => candidate?.candidate), ['candidate:1', 'candidate:2'])
  })

  test('sends its own candidates, receives without sending when it has no tracks', async ({ assert }) => {
    const { pc, sent } = session(1, 2, [])
    pc.emitCandidate('candidate:host')
    pc.emitCandidate(null)
    assert.deepEqual(sent.filter((data) => 'candidate' in data), [
      { candidate: { candidate: 'candidate:host', sdpMid: '0', sdpMLineIndex: 0 } },
      { candidate: null },
    ])
    assert.deepEqual(pc.added.map((entry) => [entry.kind, entry.direction]), [['audio', 'recvonly'], ['video', 'recvonly']])
  })

  test('only the offering side adds receive-only transceivers', ({ assert }) => {
    const answering = session(1, 2, [], false)
    assert.deepEqual(answering.pc.added, [])
  })

  test('an offer the other side never got is rolled back before their repair offer', async ({ assert }) => {
    const { peer, pc, sent } = session(1, 2)
    await flush()
    assert.equal(pc.signalingState, 'have-local-offer')

    await peer.dropPendingOffer()
    assert.equal(pc.signalingState, 'stable')
    await peer.receive({ description: { type: 'offer', sdp: 'repair' } })
    assert.deepEqual(descriptions(sent), ['offer', 'answer'], 'the impolite side now answers instead of ignoring')
  })

  test('the impolite side restarts ICE when the connection fails; the polite side waits', async ({ assert }) => {
    const impolite = session(1, 2)
    const polite = session(2, 1)
    impolite.pc.setConnectionState('failed')
    polite.pc.setConnectionState('failed')
    assert.equal(impolite.pc.restarts, 1)
    assert.equal(polite.pc.restarts, 0)
  })

  test('replaceTrack swaps the sent track; a receive-only transceiver starts sending', async ({ assert }) => {
    const camera = new FakeTrack('video')
    const { peer, pc } = session(1, 2, [new FakeTrack('audio'), camera])
    const screen = new FakeTrack('video')
    await peer.replaceTrack('video', screen as unknown as MediaStreamTrack)
    assert.strictEqual(pc.added.find((entry) => entry.kind === 'video')!.track, screen)

    const audioOnly = session(1, 2, [new FakeTrack('audio')])
    await audioOnly.peer.replaceTrack('video', screen as unknown as MediaStreamTrack)
    assert.deepEqual(audioOnly.pc.added.find((entry) => entry.kind === 'video'), { track: screen, kind: 'video', direction: 'sendrecv' })
  })

  test('close is idempotent and stops all handling', async ({ assert }) => {
    const { peer, pc, sent } = session(1, 2)
    await flush()
    peer.close()
    peer.close()
    assert.isTrue(pc.closed)
    assert.isTrue(peer.closed)
    await peer.receive({ description: { type: 'offer', sdp: 'late' } })
    assert.deepEqual(descriptions(sent), ['offer'])
  })

  test("the remote person's tracks come as one stream, whichever streams (or none) they were sent in", ({ assert }) => {
    const { peer, pc } = session(1, 2)
    const emitted: FakeMediaStream[] = []
    peer.on('stream', (stream) => emitted.push(stream as unknown as FakeMediaStream))
    const audio = new FakeTrack('audio')
    const video = new FakeTrack('video')
    const screen = new FakeTrack('video')

    pc.emitTrack(audio, [new FakeMediaStream([audio])])
    pc.emitTrack(video, [new FakeMediaStream([video])])
    assert.deepEqual(emitted.at(-1)!.getTracks(), [audio, video])
    // A track in no stream at all (a receive-only transceiver that starts sending) joins too.
    pc.emitTrack(screen)
    assert.deepEqual(emitted.at(-1)!.getTracks(), [audio, video, screen])
    // Each change is a new stream object: a <video> holding the old one would not see it.
    assert.lengthOf(new Set(emitted), 3)

    // The same track again (a renegotiation) changes nothing.
    pc.emitTrack(audio, [new FakeMediaStream([audio])])
    assert.lengthOf(emitted, 3)
  })

  test('a remote track leaves the stream when it ends or its sender removes it', ({ assert }) => {
    const { peer, pc } = session(1, 2)
    const emitted: FakeMediaStream[] = []
    peer.on('stream', (stream) => emitted.push(stream as unknown as FakeMediaStream))
    const audio = new FakeTrack('audio')
    const video = new FakeTrack('video')
    const both = new FakeMediaStream([audio, video])
    pc.emitTrack(audio, [both])
    pc.emitTrack(video, [both])

    both.loseTrack(video)
    assert.deepEqual(emitted.at(-1)!.getTracks(), [audio])
    audio.end()
    assert.deepEqual(emitted.at(-1)!.getTracks(), [])
    assert.lengthOf(emitted, 4)
  })

  test('a closed session announces no more streams', ({ assert }) => {
    const { peer, pc } = session(1, 2)
    const emitted: unknown[] = []
    peer.on('stream', (stream) => emitted.push(stream))
    const audio = new FakeTrack('audio')
    pc.emitTrack(audio, [new FakeMediaStream([audio])])
    peer.close()
    audio.end()
    assert.lengthOf(emitted, 1)
  })
})
