import { test } from '@japa/runner'
import sfuRooms from '#sfu/main'
import Call from '#models/call'
import type User from '#models/user'
import { JanusNamespace } from '#tests/helpers/janus'
import { appSfuForGroup } from '#tests/helpers/app_sfu'
import { printedSkip } from '#tests/helpers/services'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, chromiumForGroup, startCallFrom, until } from '#tests/helpers/browser'
import { sfuStats, type SfuStats } from '#tests/helpers/sfu_pages'

const janus = JanusNamespace.availableForTests()
const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Three members with a page each: alice calls, bob accepts, carol's page rings (not answered yet). */
async function aliceCallsBobWithCarolWaiting(open: ReturnType<typeof chromiumForGroup>) {
  const [alice, bob, carol] = (await people(3)) as [User, User, User]
  const channel = await channelWith([alice, bob, carol])
  const [alicePage, bobPage, carolPage] = await Promise.all([alice, bob, carol].map((person) => open(person, baseUrl())))
  const callId = await startCallFrom(alicePage!, channel.id, 'video')
  await acceptRing(bobPage!)
  return { alice, bob, carol, alicePage, bobPage, carolPage, callId }
}

test.group('SFU calls in Chromium: media through a real Janus', (group) => {
  withCleanDatabase(group)
  const server = appSfuForGroup(group, 0)
  const open = chromiumForGroup(group)

  test('two pages send their media to Janus and decode each other through it; ending leaves no room', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    const started = Date.now()
    const callId = await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)

    const receiving = (stats: SfuStats) =>
      stats.publisher === 'connected' && stats.subscriber === 'connected' && stats.framesDecoded > 0 && stats.audioPackets > 0
    for (const page of [alicePage, bobPage]) {
      const stats = await until(() => sfuStats(page), receiving, 30_000, 'video and audio decoded through Janus')
      assert.equal(stats.meshConnections, 0, 'no peer connection between the browsers')
      assert.deepEqual(stats.remoteAddresses, [JanusNamespace.JANUS_ADDRESS, JanusNamespace.JANUS_ADDRESS])
    }
    console.log(`Both pages decoding each other through Janus ${Date.now() - started} ms after the call was started`)

    const call = await Call.findOrFail(callId)
    assert.equal(call.sfuServer, server.url)
    const room = { server: server.url, room: call.sfuRoomId! }
    const publishers = (await sfuRooms.participants(room)).filter((participant) => participant.publisher)
    assert.sameMembers(publishers.map((publisher) => publisher.id), [alice!.id, bob!.id])

    await bobPage.evaluate(() => {
      const sfu = (window as any).confabCall.mesh.sfu
      ;(window as any).heldConnections = [sfu.publisher, sfu.subscriber]
    })
    alicePage.once('dialog', (dialog) => void dialog.accept())
    await alicePage.getByRole('button', { name: 'End for everyone' }).click()
    await bobPage.waitForSelector('text=The call was ended for everyone.')
    assert.equal((await Call.findOrFail(callId)).status, 'ended')
    const admin = sfuRooms.servers[0]!.admin
    await until(() => admin.list(), (rooms) => !rooms.includes(room.room), 10_000, 'the room gone from Janus')
    const bobConnections = await bobPage.evaluate(() => (window as any).heldConnections.map((pc: RTCPeerConnection) => pc.connectionState))
    assert.deepEqual(bobConnections, ['closed', 'closed'])
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('mute and camera off in an SFU call: the others’ tiles show it, the track stays on the publisher (no renegotiation)', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)
    for (const page of [alicePage, bobPage]) {
      await until(() => sfuStats(page), (stats) => stats.subscriber === 'connected' && stats.framesDecoded > 0, 30_000, 'decoding through Janus')
    }
    const offerBefore = await bobPage.evaluate(() => (window as any).confabCall.mesh.sfu.publisher.currentLocalDescription.sdp)

    await bobPage.getByRole('button', { name: 'Mute', exact: true }).click()
    await bobPage.getByRole('button', { name: 'Camera off', exact: true }).click()
    const bobTile = alicePage.locator(`.tile[data-user-id="${bob!.id}"]`)
    await until(async () => [await bobTile.getAttribute('data-audio'), await bobTile.getAttribute('data-video')], ([audio, video]) => audio === 'false' && video === 'false', 5000, "bob's tile to show muted and camera off")
    assert.isTrue(await bobTile.locator('[data-mark="muted"]').isVisible())
    const sent = await bobPage.evaluate(() => {
      const publisher = (window as any).confabCall.mesh.sfu.publisher as RTCPeerConnection
      return { tracks: publisher.getSenders().map((sender) => sender.track && { kind: sender.track.kind, enabled: sender.track.enabled }), sdp: publisher.currentLocalDescription!.sdp }
    })
    assert.sameDeepMembers(sent.tracks, [{ kind: 'audio', enabled: false }, { kind: 'video', enabled: false }])
    assert.equal(sent.sdp, offerBefore, 'muting does not renegotiate with Janus')

    await bobPage.getByRole('button', { name: 'Unmute', exact: true }).click()
    await until(() => bobTile.getAttribute('data-audio'), (audio) => audio === 'true', 5000, "bob's tile to show him unmuted")
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('a third person joins later: every subscription is renegotiated to include them; leaving takes them out of Janus', async ({ assert }) => {
    const { alice, bob, carol, alicePage, bobPage, carolPage, callId } = await aliceCallsBobWithCarolWaiting(open)
    const decoding = (videos: number) => (stats: SfuStats) => stats.subscriber === 'connected' && stats.videosDecoding === videos
    for (const page of [alicePage!, bobPage!]) await until(() => sfuStats(page), decoding(1), 30_000, 'the other one decoding')

    const joined = Date.now()
    await acceptRing(carolPage!)
    for (const page of [alicePage!, bobPage!, carolPage!]) {
      const stats = await until(() => sfuStats(page), decoding(2), 30_000, 'both others decoding')
      assert.equal(stats.meshConnections, 0)
    }
    console.log(`A third person decoded by everyone through Janus ${Date.now() - joined} ms after accepting`)
    const call = await Call.findOrFail(callId)
    const room = { server: server.url, room: call.sfuRoomId! }
    const publisherIds = async () => (await sfuRooms.participants(room)).filter((participant) => participant.publisher).map((participant) => participant.id)
    assert.sameMembers(await publisherIds(), [alice!.id, bob!.id, carol!.id])

    await Promise.all([carolPage!.waitForURL('**/channels/*'), carolPage!.getByRole('button', { name: 'Leave' }).click()])
    await until(publisherIds, (ids) => ids.length === 2, 10_000, 'carol gone from the Janus room')
    assert.sameMembers(await publisherIds(), [alice!.id, bob!.id])
    // alice still receives bob, and no longer has a tile stream for carol.
    await until(() => sfuStats(alicePage!), decoding(1), 10_000, 'alice decoding bob only')
    const carolStream = await alicePage!.evaluate(
      (userId) => (window as any).confabCall.mesh.participants.find((participant: any) => participant.userId === userId)?.stream ?? null,
      carol!.id
    )
    assert.isNull(carolStream)
  })
    // Three pages on a shared 2-core machine: minutes when other suites run beside it.
    .timeout(240_000)
    .skip(...printedSkip(janus.missing, janus.reason))

  test('CALL_SFU_FROM=3: a mesh of two moves to Janus when a third joins, make-before-break', async ({ assert, cleanup }) => {
    sfuRooms.sfuFrom = 3
    cleanup(() => {
      sfuRooms.sfuFrom = 0
    })
    const { alice, bob, carol, alicePage, bobPage, carolPage, callId } = await aliceCallsBobWithCarolWaiting(open)
    await until(() => sfuStats(alicePage!), (stats) => stats.meshConnections === 1 && stats.publisher === null, 30_000, 'a mesh of two')
    await until(() => alicePage!.evaluate(() => (window as any).confabCall.mesh.sessions[0].pc.connectionState), (state) => state === 'connected', 30_000, 'the mesh connected')
    assert.isNull((await Call.findOrFail(callId)).sfuRoomId, 'two people: no room')

    // alice watches bob's tile: the longest time its video does not advance, across the switch.
    await alicePage!.evaluate((bobId) => {
      const watch = { gap: 0, last: performance.now(), element: null as any, source: null as any, time: -1 }
      ;(window as any).bobTileWatch = watch
      setInterval(() => {
        const video = document.querySelector(`.tile[data-user-id="${bobId}"] video`) as HTMLVideoElement | null
        const now = performance.now()
        if (!video) return
        if (video !== watch.element || video.srcObject !== watch.source) {
          Object.assign(watch, { element: video, source: video.srcObject, time: video.currentTime })
        } else if (video.currentTime > watch.time) {
          watch.gap = Math.max(watch.gap, now - watch.last)
          Object.assign(watch, { last: now, time: video.currentTime })
        }
      }, 20)
    }, bob!.id)

    const joined = Date.now()
    await acceptRing(carolPage!)
    const onSfu = (stats: SfuStats) => stats.meshConnections === 0 && stats.subscriber === 'connected' && stats.videosDecoding === 2
    for (const page of [alicePage!, bobPage!, carolPage!]) await until(() => sfuStats(page), onSfu, 40_000, 'two feeds through Janus, no mesh')
    const switchMs = Date.now() - joined
    const call = await Call.findOrFail(callId)
    const room = { server: server.url, room: call.sfuRoomId! }
    const publishers = (await sfuRooms.participants(room)).filter((participant) => participant.publisher)
    assert.sameMembers(publishers.map((publisher) => publisher.id), [alice!.id, bob!.id, carol!.id])

    // bob's tile on alice's page plays what Janus sends, and kept playing through the switch.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const tile = await alicePage!.evaluate((bobId) => {
      const video = document.querySelector(`.tile[data-user-id="${bobId}"] video`) as HTMLVideoElement
      const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0]
      const sfu = (window as any).confabCall.mesh.sfu
      const fromJanus = sfu.subscriber.getReceivers().some((receiver: RTCRtpReceiver) => receiver.track === track)
      return { fromJanus, gap: Math.round((window as any).bobTileWatch.gap), sinceLast: Math.round(performance.now() - (window as any).bobTileWatch.last) }
    }, bob!.id)
    assert.isTrue(tile.fromJanus, "bob's tile shows the SFU's track")
    assert.isBelow(tile.sinceLast, 1000, "bob's tile is playing")
    console.log(`Mesh to SFU: every page on Janus ${switchMs} ms after the third person accepted; longest freeze of bob's tile on alice's page ${tile.gap} ms`)
  })
    .timeout(240_000)
    .skip(...printedSkip(janus.missing, janus.reason))
})
