import { test } from '@japa/runner'
import CallParticipant from '#models/call_participant'
import OpenDirectChannel from '#actions/channels/open_direct_channel'
import ringTimer from '#services/ring_timer'
import callHub from '#signaling/call_hub'
import Call from '#models/call'
import { DateTime } from 'luxon'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { snapshot } from '#tests/helpers/calls'
import {
  acceptRing,
  peerStats,
  receivingEverything,
  sentTrack,
  startCallFrom,
  until,
  chromiumForGroup,
  connectedPairOn,
} from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Calls in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  const connectedPair = () => connectedPairOn(open, baseUrl())

  test('alice starts a video call, bob accepts from the modal: both see and hear each other', async ({ assert }) => {
    const { alice, bob, alicePage, bobPage, callId } = await connectedPair()

    for (const page of [alicePage, bobPage]) {
      const [peer] = await peerStats(page)
      assert.equal(peer!.connectionState, 'connected')
      assert.isAbove(peer!.framesDecoded, 0)
      assert.isAbove(peer!.audioPackets, 0)
    }
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'active')
    assert.deepEqual(statuses, { [alice.id]: 'joined', [bob.id]: 'joined' })
  })

  test('a four-person mesh: everyone receives everyone', async () => {
    const everyone = await people(4)
    const channel = await channelWith(everyone)
    const [host, ...guests] = await Promise.all(everyone.map((person) => open(person, baseUrl())))

    await startCallFrom(host!, channel.id, 'video')
    for (const guest of guests) await acceptRing(guest)

    for (const page of [host!, ...guests]) {
      await until(() => peerStats(page), receivingEverything(3), 40_000, 'three connections receiving audio and video')
    }
  })

  test('bob mutes and turns his camera off: alice sees it on his tile, the database holds it', async ({ assert }) => {
    const { bob, alicePage, bobPage, callId } = await connectedPair()

    await bobPage.getByRole('button', { name: 'Mute', exact: true }).click()
    await bobPage.getByRole('button', { name: 'Camera off', exact: true }).click()

    const bobTile = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    await until(async () => [await bobTile.getAttribute('data-audio'), await bobTile.getAttribute('data-video')], ([audio, video]) => audio === 'false' && video === 'false', 5000, "bob's tile to show muted and camera off")
    assert.isTrue(await bobTile.locator('[data-mark="muted"]').isVisible())
    assert.isTrue(await bobTile.locator('[data-mark="camera-off"]').isVisible())
    const row = await until(
      () => CallParticipant.query().where({ callId, userId: bob.id }).firstOrFail(),
      (participant) => !participant.audioEnabled && !participant.videoEnabled,
      5000,
      'the media state in the database'
    )
    assert.isFalse(row.screenSharing)
  })

  test('bob shares his screen and switches microphone: alice keeps receiving, his tile says so, no renegotiation for the switch', async ({ assert }) => {
    const { bob, alicePage, bobPage, callId } = await connectedPair()
    const bobTile = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    const fromBob = async () => (await peerStats(alicePage))[0]!
    const keepsFlowing = async (what: string, measure: 'framesDecoded' | 'audioPackets') => {
      const before = (await fromBob())[measure]
      await until(fromBob, (stats) => stats[measure] > before + 10, 10_000, what)
    }

    await bobPage.getByRole('button', { name: 'Share screen' }).click()
    await until(() => sentTrack(bobPage, 'video'), (sent) => sent.label?.startsWith('screen') ?? false, 5000, 'the screen to replace the camera')
    await until(() => bobTile.getAttribute('data-screen'), (value) => value === 'true', 5000, "bob's tile to show sharing")
    assert.isTrue(await bobTile.locator('[data-mark="sharing"]').isVisible())
    await until(() => CallParticipant.query().where({ callId, userId: bob.id }).firstOrFail(), (row) => row.screenSharing, 5000, 'sharing stored')
    await keepsFlowing('alice to receive the screen', 'framesDecoded')

    await bobPage.getByRole('button', { name: 'Stop sharing' }).click()
    await until(() => sentTrack(bobPage, 'video'), (sent) => sent.label === 'fake_device_0', 5000, 'the camera to come back')
    await until(() => bobTile.getAttribute('data-screen'), (value) => value === 'false', 5000, "bob's tile to stop showing sharing")

    // Chromium's second fake camera plays in a <video> but never reaches the encoder, so the
    // switch is checked with the second fake microphone (the code path is the same replaceTrack).
    const beforeSwitch = await sentTrack(bobPage, 'audio')
    await bobPage.selectOption('.media-controls__device select >> nth=0', { label: 'Fake Audio Input 2' })
    const afterSwitch = await until(() => sentTrack(bobPage, 'audio'), (sent) => sent.label === 'Fake Audio Input 2', 5000, 'the second microphone')
    assert.notEqual(afterSwitch.label, beforeSwitch.label)
    assert.equal(afterSwitch.sdp, beforeSwitch.sdp, 'switching devices does not renegotiate')
    await keepsFlowing('alice to hear the second microphone', 'audioPackets')
  })

  test('alice ends the call for everyone: every page shows it, every connection closes', async ({ assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const [alicePage, bobPage, carolPage] = await Promise.all([alice!, bob!, carol!].map((person) => open(person, baseUrl())))
    const callId = await startCallFrom(alicePage!, channel.id, 'video')
    await acceptRing(bobPage!)
    await until(() => peerStats(alicePage!), receivingEverything(1), 20_000, 'the call to connect')
    await carolPage!.waitForSelector('#incoming-call-title')

    // Keep hold of bob's peer connections to check they get closed, not just forgotten.
    await bobPage!.evaluate(() => ((window as any).heldConnections = (window as any).confabCall.mesh.sessions.map((session: any) => session.pc)))
    let confirmation = ''
    alicePage!.once('dialog', (dialog) => {
      confirmation = dialog.message()
      void dialog.accept()
    })
    await alicePage!.getByRole('button', { name: 'End for everyone' }).click()

    assert.equal(confirmation, 'End the call for everyone? 1 person will be disconnected.')
    await bobPage!.waitForSelector('text=The call was ended for everyone.')
    await carolPage!.waitForSelector('#incoming-call-title', { state: 'hidden' })
    await alicePage!.waitForSelector('text=You ended the call for everyone.')
    const bobConnections = await bobPage!.evaluate(() => (window as any).heldConnections.map((pc: RTCPeerConnection) => pc.connectionState))
    assert.deepEqual(bobConnections, ['closed'])
    // alice's page went on to the ended room, which opens no connection at all.
    assert.isFalse(await alicePage!.evaluate(() => Boolean((window as any).confabCall)))
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'ended')
    assert.notInclude(Object.values(statuses), 'joined')
    assert.notInclude(Object.values(statuses), 'ringing')
  })

  test('bob declines: alice sees it. carol never answers: she gets a missed call', async ({ assert }) => {
    const [alice, bob, carol] = await people(3)
    const dm = await new OpenDirectChannel().handle(alice!, bob!.id)
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    await startCallFrom(alicePage, dm.id, 'audio')
    await bobPage.waitForSelector('#incoming-call-title')
    await bobPage.getByRole('button', { name: 'Decline' }).click()
    await alicePage.waitForSelector('text=The call was declined.')

    const group = await channelWith([alice!, carol!])
    const carolPage = await open(carol!, baseUrl())
    const callId = await startCallFrom(alicePage, group.id, 'audio')
    await carolPage.waitForSelector('#incoming-call-title')
    // A short ring for the test: the real timer, armed for a deadline a second away.
    const call = await Call.findOrFail(callId)
    call.ringExpiresAt = DateTime.now().plus({ seconds: 1 })
    await call.save()
    ringTimer.arm(callId, call.ringExpiresAt)

    await carolPage.waitForSelector('#incoming-call-title', { state: 'hidden', timeout: 10_000 })
    await carolPage.waitForSelector('#missed-badge:not([hidden])')
    assert.equal((await carolPage.textContent('#missed-badge [data-count-text]'))?.trim(), '1')
    await alicePage.waitForSelector('text=No answer.')
  })

  test("bob's WebSocket is cut mid-call: he reconnects within the grace and media flows again", async ({ assert }) => {
    const { bob, bobPage, callId } = await connectedPair()

    assert.isTrue(callHub.terminate(callId, bob.id))
    await until(() => bobPage.evaluate(() => (window as any).confabCall.signaling.state), (state) => state !== 'open', 5000, 'bob to notice the drop')
    await until(() => bobPage.evaluate(() => (window as any).confabCall.signaling.state), (state) => state === 'open', 10_000, 'bob to reconnect')

    const before = (await peerStats(bobPage))[0]!.framesDecoded
    await until(() => peerStats(bobPage), ([peer]) => peer?.connectionState === 'connected' && peer.framesDecoded > before + 10, 15_000, 'video to keep flowing')
    assert.equal((await snapshot(callId)).statuses[bob.id], 'joined')
  })
})
