import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { snapshot } from '#tests/helpers/calls'
import {
  acceptRing,
  chromiumForGroup,
  cspViolations,
  inPage,
  peerStats,
  receivingEverything,
  startCallFrom,
  until,
  type AnyPage,
  type PeerStats,
} from '#tests/helpers/browser'
import { firefoxForGroup, firefoxMissing, intoRoom, type FirefoxPage } from '#tests/helpers/firefox'
import { printedSkip } from '#tests/helpers/services'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
// Why the Firefox tests cannot run here (printed with the skip), or null.
const firefoxMissingReason = firefoxMissing()

/** Both kinds of media keep arriving: audio and video bytes, and decoded frames, all go up. */
async function mediaKeepsFlowing(page: AnyPage, who: string) {
  const [before] = await peerStats(page)
  const rose = (after: PeerStats) =>
    after.audioBytes > before!.audioBytes && after.videoBytes > before!.videoBytes && after.framesDecoded > before!.framesDecoded
  await until(() => peerStats(page), ([after]) => Boolean(after) && rose(after!), 10_000, `${who}'s incoming audio and video to keep rising`)
}

/**
 * Whether the tile of `userId` plays its video: a decoded frame (non-zero width), not paused.
 * Firefox runs with its default autoplay policy, which lets a page that captures the camera play.
 */
function tilePlaysVideo(page: AnyPage, userId: number) {
  return inPage(
    page,
    (id) => {
      const video = document.querySelector<HTMLVideoElement>(`.tile[data-user-id="${id}"] video`)
      return { width: video?.videoWidth ?? 0, paused: video?.paused ?? true }
    },
    userId
  )
}
const playing = ({ width, paused }: { width: number; paused: boolean }) => width > 0 && !paused

/** Whether the tile of `userId` shows its "Muted" mark (rendered and not hidden). */
function tileShowsMuted(page: AnyPage, userId: number) {
  return inPage(page, (id) => document.querySelector(`.tile[data-user-id="${id}"] [data-mark="muted"]`)?.checkVisibility() ?? false, userId)
}

/** Clicks the room's Mute button in Firefox (Puppeteer has no role query over BiDi). */
async function muteInFirefox(page: FirefoxPage) {
  await page.locator('.media-controls ::-p-text(Mute)').click()
}

test.group('Calls between Chromium and Firefox', (group) => {
  withCleanDatabase(group)
  const openChromium = chromiumForGroup(group)
  const openFirefox = firefoxForGroup(group)

  /** chromiumUser on Chromium and firefoxUser on Firefox, in a channel of theirs, both signed in. */
  async function twoBrowsers() {
    const [chromiumUser, firefoxUser] = (await people(2)) as [User, User]
    const channel = await channelWith([chromiumUser, firefoxUser])
    const chromiumPage = await openChromium(chromiumUser, baseUrl())
    const firefoxPage = await openFirefox(firefoxUser, baseUrl())
    return { chromiumUser, firefoxUser, channel, chromiumPage, firefoxPage }
  }

  /** Media both ways, each tile showing the other's video, mute marks synced in both pages. */
  async function checkCall(assert: any, chromium: { page: Page; user: User }, firefox: { page: FirefoxPage; user: User }) {
    for (const [page, who] of [[chromium.page, 'Chromium'], [firefox.page, 'Firefox']] as const) {
      const [peer] = await until(() => peerStats(page), receivingEverything(1), 20_000, `${who} to receive audio and video`)
      assert.equal(peer!.connectionState, 'connected')
      await mediaKeepsFlowing(page, who)
    }
    await until(() => tilePlaysVideo(chromium.page, firefox.user.id), playing, 10_000, "Firefox's video on Chromium's page")
    await until(() => tilePlaysVideo(firefox.page, chromium.user.id), playing, 10_000, "Chromium's video on Firefox's page")

    assert.isFalse(await tileShowsMuted(chromium.page, firefox.user.id))
    await muteInFirefox(firefox.page)
    await until(() => tileShowsMuted(chromium.page, firefox.user.id), Boolean, 5000, "Chromium's page to show Firefox's person muted")
    assert.isFalse(await tileShowsMuted(firefox.page, chromium.user.id))
    await chromium.page.getByRole('button', { name: 'Mute', exact: true }).click()
    await until(() => tileShowsMuted(firefox.page, chromium.user.id), Boolean, 5000, "Firefox's page to show Chromium's person muted")
    assert.deepEqual(await cspViolations(firefox.page), [], 'Firefox refused nothing under the Content-Security-Policy')
  }

  /** Keeps hold of the page's peer connections, to check later they were closed, not just forgotten. */
  function holdConnections(page: AnyPage) {
    return inPage(page, () => {
      ;(window as any).heldConnections = (window as any).confabCall.mesh.sessions.map((session: any) => session.pc)
    })
  }
  const heldStates = (page: AnyPage) => inPage(page, () => (window as any).heldConnections.map((pc: RTCPeerConnection) => pc.connectionState) as string[])
  const bodyText = (page: AnyPage) => inPage(page, () => document.body.innerText)

  test('Chromium calls, Firefox accepts: media both ways, video in both tiles, mute sync, end for everyone', async ({ assert }) => {
    const { chromiumUser, firefoxUser, channel, chromiumPage, firefoxPage } = await twoBrowsers()

    const callId = await startCallFrom(chromiumPage, channel.id, 'video')
    await firefoxPage.waitForSelector('#incoming-call-title', { visible: true })
    await intoRoom(firefoxPage, 'button.button--accept')
    await checkCall(assert, { page: chromiumPage, user: chromiumUser }, { page: firefoxPage, user: firefoxUser })

    await holdConnections(firefoxPage)
    chromiumPage.once('dialog', (dialog) => void dialog.accept())
    await chromiumPage.getByRole('button', { name: 'End for everyone' }).click()
    await until(() => bodyText(firefoxPage), (text) => text.includes('The call was ended for everyone.'), 10_000, 'Firefox to show the ended call')
    await chromiumPage.waitForSelector('text=You ended the call for everyone.')
    assert.deepEqual(await heldStates(firefoxPage), ['closed'])
    assert.equal((await snapshot(callId)).call.status, 'ended')
  }).skip(...printedSkip(firefoxMissingReason !== null, firefoxMissingReason ?? ''))

  test('Firefox calls, Chromium accepts: the same call, and Firefox ends it for everyone', async ({ assert }) => {
    const { chromiumUser, firefoxUser, channel, chromiumPage, firefoxPage } = await twoBrowsers()

    await firefoxPage.goto(`${baseUrl()}/channels/${channel.id}`)
    const callId = await intoRoom(firefoxPage, 'button[title="Start a video call"]')
    await acceptRing(chromiumPage)
    await checkCall(assert, { page: chromiumPage, user: chromiumUser }, { page: firefoxPage, user: firefoxUser })

    await holdConnections(chromiumPage)
    let confirmation = ''
    firefoxPage.once('dialog', (dialog) => {
      confirmation = dialog.message()
      void dialog.accept()
    })
    await Promise.all([firefoxPage.waitForNavigation(), firefoxPage.locator('::-p-text(End for everyone)').click()])
    assert.equal(confirmation, 'End the call for everyone? 1 person will be disconnected.')
    await chromiumPage.waitForSelector('text=The call was ended for everyone.')
    await until(() => bodyText(firefoxPage), (text) => text.includes('You ended the call for everyone.'), 10_000, 'Firefox to show it ended the call')
    // Firefox's page went on to the ended room, which opens no connection at all.
    assert.isFalse(await inPage(firefoxPage, () => Boolean((window as any).confabCall)))
    assert.deepEqual(await heldStates(chromiumPage), ['closed'])
    assert.equal((await snapshot(callId)).call.status, 'ended')
  }).skip(...printedSkip(firefoxMissingReason !== null, firefoxMissingReason ?? ''))
})
