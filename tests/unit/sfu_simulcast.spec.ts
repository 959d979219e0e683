import { test } from '@japa/runner'
import { LayerChoice, LayerRequests, layerFor, SIMULCAST_ENCODINGS, type LayerTile } from '../../resources/js/calls/sfu_layers.js'
import { SfuSession } from '../../resources/js/calls/sfu_session.js'
import { StageLayout } from '../../resources/js/calls/stage_layout.js'
import { SubscriberLayers, streamSetting } from '#sfu/subscriber_layers'
import type { ClientFrame } from '#signaling/protocol'
import { FakePeerConnection, FakeTrack } from '#tests/helpers/fake_webrtc'

const me: LayerTile = { userId: 1, self: true, video: true, screen: false }
const person = (userId: number, media: Partial<LayerTile> = {}): LayerTile => ({ userId, self: false, video: true, screen: false, ...media })
/** Eight people on a laptop-sized stage, as the call room lays them out. */
const eight = [me, ...[2, 3, 4, 5, 6, 7, 8].map((userId) => person(userId))]
const stage = { width: 1100, height: 620 }

test.group('LayerChoice: which simulcast layer each tile asks for', () => {
  test('a grid of eight: every tile is small, so every person comes on the low layer', ({ assert }) => {
    const arrangement = new StageLayout().arrange(eight, stage)
    assert.equal(arrangement.layout, 'grid')
    const layers = new LayerChoice().choose(arrangement, eight)
    assert.deepEqual([...layers.values()], Array(7).fill('low'))
    assert.isFalse(layers.has(1), 'nothing asked of my own video')
  })

  test('the pinned tile gets the high layer and the strip the low one; unpinned, all low again', ({ assert }) => {
    const layout = new StageLayout()
    layout.togglePin(5)
    const pinned = layout.arrange(eight, stage)
    assert.equal(pinned.mainId, 5)
    const layers = new LayerChoice().choose(pinned, eight)
    assert.equal(layers.get(5), 'high')
    for (const userId of [2, 3, 4, 6, 7, 8]) assert.equal(layers.get(userId), 'low', `strip tile ${userId}`)
    layout.togglePin(5)
    assert.equal(new LayerChoice().choose(layout.arrange(eight, stage), eight).get(5), 'low')
  })

  test('the active speaker in speaker view, or a shared screen, is the high one', ({ assert }) => {
    const layout = new StageLayout()
    layout.toggleMode()
    layout.speakerChanged(3, eight)
    assert.equal(new LayerChoice().choose(layout.arrange(eight, stage), eight).get(3), 'high')
    const sharing = eight.map((tile) => (tile.userId === 7 ? { ...tile, screen: true } : tile))
    const grid = new StageLayout()
    assert.equal(new LayerChoice().choose(grid.arrange(sharing, stage), sharing).get(7), 'high')
  })

  test('two people side by side: half a laptop stage needs the medium layer, half a big screen the high one', ({ assert }) => {
    const two = [me, person(2)]
    assert.equal(new LayerChoice().choose(new StageLayout().arrange(two, stage), two).get(2), 'medium')
    assert.equal(new LayerChoice().choose(new StageLayout().arrange(two, { width: 1900, height: 1000 }), two).get(2), 'high')
  })

  test('grid tiles take the smallest layer at least as wide as they are', ({ assert }) => {
    assert.deepEqual([100, 320, 321, 640, 641, 1200].map(layerFor), ['low', 'low', 'medium', 'medium', 'high', 'high'])
  })

  test('someone with camera and screen off costs no video, even pinned', ({ assert }) => {
    const layout = new StageLayout()
    layout.togglePin(4)
    const tiles = eight.map((tile) => (tile.userId === 4 || tile.userId === 6 ? { ...tile, video: false } : tile))
    const layers = new LayerChoice().choose(layout.arrange(tiles, stage), tiles)
    assert.equal(layers.get(4), 'none')
    assert.equal(layers.get(6), 'none')
  })
})

test.group('LayerRequests: the sfu.layers frame', () => {
  test('sends only what changed, and nothing while the call is a mesh', ({ assert }) => {
    const sent: ClientFrame[] = []
    let viaSfu = false
    const requests = new LayerRequests({ send: (frame) => sent.push(frame), viaSfu: () => viaSfu })
    requests.request(new Map([[2, 'low']]))
    assert.deepEqual(sent, [], 'a mesh call picks no layers')
    viaSfu = true
    requests.request(new Map([[2, 'low'], [3, 'low']]))
    requests.request(new Map([[2, 'low'], [3, 'low']]))
    requests.request(new Map([[2, 'high'], [3, 'low']]))
    assert.deepEqual(sent, [
      { type: 'sfu.layers', layers: [{ userId: 2, layer: 'low' }, { userId: 3, layer: 'low' }] },
      { type: 'sfu.layers', layers: [{ userId: 2, layer: 'high' }] },
    ])
  })
})

test.group('SfuSession: simulcast publishing', () => {
  function session() {
    FakePeerConnection.created = []
    const sent: ClientFrame[] = []
    const sfu = new SfuSession({ send: (frame) => sent.push(frame), createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection })
    return { sfu, sent }
  }

  test('the camera goes out in three layers, highest first, and audio as one track', async ({ assert }) => {
    const { sfu } = session()
    const [audio, video] = [new FakeTrack('audio'), new FakeTrack('video')]
    await sfu.start({}, [audio, video] as unknown as MediaStreamTrack[])
    const added = FakePeerConnection.created[0]!.added
    assert.deepEqual(added.map((entry) => [entry.kind, entry.direction]), [['audio', 'sendrecv'], ['video', 'sendonly']])
    assert.strictEqual(added[1]!.track, video)
    const encodings = added[1]!.encodings!
    assert.deepEqual(encodings.map((encoding) => encoding.rid), ['h', 'm', 'l'])
    assert.deepEqual(encodings.map((encoding) => encoding.scaleResolutionDownBy ?? 1), [1, 2, 4])
    assert.deepEqual(encodings.map((encoding) => encoding.maxBitrate), SIMULCAST_ENCODINGS.map((encoding) => encoding.maxBitrate))
    assert.isTrue(encodings.every((encoding) => encoding.active))
  })

  test('camera off stops every layer, on again starts them; off before publishing publishes them stopped', async ({ assert }) => {
    const { sfu } = session()
    await sfu.start({}, [new FakeTrack('video')] as unknown as MediaStreamTrack[])
    const entry = FakePeerConnection.created[0]!.added[0]!
    await sfu.sendVideo(false)
    assert.deepEqual(entry.encodings!.map((encoding) => encoding.active), [false, false, false])
    await sfu.sendVideo(true)
    assert.deepEqual(entry.encodings!.map((encoding) => encoding.active), [true, true, true])

    const later = session()
    await later.sfu.sendVideo(false)
    await later.sfu.start({}, [new FakeTrack('video')] as unknown as MediaStreamTrack[])
    assert.deepEqual(FakePeerConnection.created[0]!.added[0]!.encodings!.map((encoding) => encoding.active), [false, false, false])
  })
})

test.group('SubscriberLayers: what the server tells Janus', () => {
  const streams = [
    { mid: '0', userId: 2, kind: 'audio' as const },
    { mid: '1', userId: 2, kind: 'video' as const },
    { mid: '2', userId: 3, kind: 'video' as const },
  ]

  test('each wanted layer becomes a substream (or a paused m-line) on the person’s video mid, once', ({ assert }) => {
    const layers = new SubscriberLayers()
    layers.streams(streams)
    assert.deepEqual(layers.changes(), [], 'nothing asked: the subscription stays on the substream it started on')
    assert.deepEqual(layers.initial(2), { substream: 0 }, 'the low one')
    layers.want([{ userId: 2, layer: 'high' }, { userId: 3, layer: 'none' }, { userId: 9, layer: 'low' }])
    const changes = layers.changes()
    assert.deepEqual(changes.map(streamSetting), [
      { mid: '1', send: true, substream: 2 },
      { mid: '2', send: false },
    ])
    layers.applied(changes)
    assert.deepEqual(layers.changes(), [])
    layers.want([{ userId: 2, layer: 'medium' }])
    assert.deepEqual(layers.changes().map(streamSetting), [{ mid: '1', send: true, substream: 1 }])
  })

  test('a person who arrives later gets the layer asked for them; a mid reused for someone else is set again', ({ assert }) => {
    const layers = new SubscriberLayers()
    layers.want([{ userId: 2, layer: 'low' }, { userId: 3, layer: 'low' }, { userId: 4, layer: 'low' }])
    layers.streams(streams)
    layers.applied(layers.changes())
    assert.deepEqual(layers.initial(4), { substream: 0 })
    layers.want([{ userId: 5, layer: 'high' }])
    assert.deepEqual(layers.initial(5), { substream: 2 }, 'a subscription starts on the layer already asked for')
    // 3 left, 4 came: Janus reuses mid 2 for 4's video.
    layers.streams([...streams.slice(0, 2), { mid: '2', userId: 4, kind: 'video' }])
    assert.deepEqual(layers.changes().map(streamSetting), [{ mid: '2', send: true, substream: 0 }])
  })
})
