import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import CallParticipant from '#models/call_participant'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, chromiumForGroup, cspViolations, peerStats, receivingEverything, startCallFrom, until } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** The page's one peer connection's counters now. */
const counters = async (page: Page) => (await peerStats(page))[0] ?? { framesDecoded: 0, audioPackets: 0, connectionState: 'none' }

/** Both pages keep receiving: video frames and audio packets rise on each side from now on. */
async function mediaKeepsFlowing(pages: Page[], when: string) {
  for (const page of pages) {
    const before = await counters(page)
    await until(
      () => counters(page),
      (now) => now.connectionState === 'connected' && now.framesDecoded > before.framesDecoded && now.audioPackets > before.audioPackets,
      15_000,
      `media to keep flowing ${when}`
    )
  }
}

/** Clicks a sidebar link (a boosted navigation) and waits for the new page's heading. */
async function goThroughSidebar(page: Page, channelId: number) {
  await page.click(`#sidebar a[href="/channels/${channelId}"]`)
  await page.waitForURL(`**/channels/${channelId}`)
  await page.waitForSelector(`#composer-body`)
}

/** Whether this <video> plays a live picture. */
const playsVideo = (page: Page, selector: string) =>
  page.locator(selector).evaluate((video: HTMLVideoElement) => Boolean(video.srcObject) && !video.paused && video.videoWidth > 0).catch(() => false)

test.group('Call dock in Chromium: the call stays while you move around', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('bob opens two channels and posts: media keeps flowing on one socket, the dock mutes, Back to call shows alice again, a reload rejoins', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const callChannel = await channelWith([alice!, bob!])
    const elsewhere = await channelWith([alice!, bob!])
    const another = await channelWith([bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    const bobSockets: string[] = []
    bobPage.on('websocket', (socket) => {
      if (socket.url().includes('/signal')) bobSockets.push(socket.url())
    })

    const callId = await startCallFrom(alicePage, callChannel.id, 'video')
    await acceptRing(bobPage)
    for (const page of [alicePage, bobPage]) await until(() => peerStats(page), receivingEverything(1), 30_000, 'audio and video both ways')
    assert.isFalse(await bobPage.locator('#call-dock').isVisible(), 'no dock in the call room itself')

    await goThroughSidebar(bobPage, elsewhere.id)
    assert.include(await bobPage.title(), elsewhere.name!)
    assert.isTrue(await bobPage.locator('#call-dock').isVisible())
    await until(() => bobPage.locator(`#call-dock [data-user-id="${alice!.id}"]`).count(), (count) => count === 1, 5000, 'alice in the dock')
    await mediaKeepsFlowing([alicePage, bobPage], 'after the first channel')

    await goThroughSidebar(bobPage, another.id)
    await bobPage.fill('#composer-body', 'Posted during the call')
    await bobPage.press('#composer-body', 'Enter')
    await bobPage.locator('#messages', { hasText: 'Posted during the call' }).waitFor()
    await mediaKeepsFlowing([alicePage, bobPage], 'after the second channel and a message')

    await bobPage.click('#call-dock [data-dock="mute"]')
    const bobTile = alicePage.locator(`.tile[data-user-id="${bob!.id}"]`)
    await until(() => bobTile.getAttribute('data-audio'), (audio) => audio === 'false', 5000, "alice to see bob's mute")
    assert.isTrue(await bobTile.locator('[data-mark="muted"]').isVisible())
    assert.equal(await bobPage.locator('#call-dock [data-dock="mute"]').textContent(), 'Unmute')
    assert.lengthOf(bobSockets, 1, 'the call socket was never reopened')

    await bobPage.click('#call-dock [data-dock="back"]')
    await bobPage.waitForURL(`**/calls/${callId}`)
    const aliceVideo = `.tile[data-user-id="${alice!.id}"] video`
    await until(() => playsVideo(bobPage, aliceVideo), Boolean, 10_000, "bob's tile of alice to play her video again")
    assert.isFalse(await bobPage.locator('#call-dock').isVisible())
    assert.lengthOf(bobSockets, 1, 'back in the room on the same socket')
    assert.deepEqual(await cspViolations(bobPage), [])
    assert.deepEqual(await cspViolations(alicePage), [])

    // A full reload of a channel page: the server renders the dock, the call rejoins.
    await bobPage.goto(`/channels/${elsewhere.id}`)
    await bobPage.locator('#call-dock').waitFor({ state: 'visible' })
    for (const page of [alicePage, bobPage]) await until(() => peerStats(page), receivingEverything(1), 30_000, 'media back after the reload')
    await mediaKeepsFlowing([alicePage, bobPage], 'after the reload')
    assert.lengthOf(bobSockets, 2, 'one new socket for the reloaded page')
    assert.deepEqual(await cspViolations(bobPage), [])
  })

  test('bob leaves from the dock: the dock goes, alice sees him gone, a reload shows no dock', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const callChannel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    const callId = await startCallFrom(alicePage, callChannel.id, 'video')
    await acceptRing(bobPage)
    await until(() => peerStats(bobPage), receivingEverything(1), 30_000, 'media to bob')

    // From the room to its own channel: the page's live timeline keeps the channel's stream
    // (the room's listener on it stopped as the channel page's started).
    await goThroughSidebar(bobPage, callChannel.id)
    await bobPage.locator('#call-dock').waitFor({ state: 'visible' })
    await goThroughSidebar(alicePage, callChannel.id)
    await alicePage.fill('#composer-body', 'Live while in the call')
    await alicePage.press('#composer-body', 'Enter')
    await bobPage.locator('#messages', { hasText: 'Live while in the call' }).waitFor()
    await bobPage.click('#call-dock [data-dock="leave"]')
    await bobPage.locator('#call-dock').waitFor({ state: 'hidden' })
    await until(() => CallParticipant.query().where({ callId, userId: bob!.id }).firstOrFail(), (row) => row.status === 'left', 5000, 'bob left')
    await until(() => alicePage.locator(`.tile[data-user-id="${bob!.id}"]`).count(), (count) => count === 0, 10_000, "bob's tile to go")
    assert.deepEqual(await bobPage.evaluate(() => (window as any).confabCall.mesh.sessions.length), 0)

    await bobPage.reload()
    assert.isFalse(await bobPage.locator('#call-dock').isVisible())
    assert.deepEqual(await cspViolations(bobPage), [])
  })
})
