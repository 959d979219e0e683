import { chromium, type Page } from 'playwright-core'
import { chromiumPath } from '#tests/browser_setting'

/**
 * Flags for headless Chromium with fake camera and microphone on loopback (see STACK.md):
 * without --allow-loopback-in-peer-connection no ICE candidate is gathered on 127.0.0.1.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  // Two fake cameras and microphones (device switching), and screen capture without a picker.
  '--use-fake-device-for-media-stream=device-count=2',
  '--auto-select-desktop-capture-source=Entire screen',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
]

/** Free of app imports, so bench/ can launch the same browser outside the test runner. */
export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS })
}

/** Starts a call from the channel page and waits for the room's media to be up. */
export async function startCallFrom(page: Page, channelId: number, kind: 'audio' | 'video') {
  await page.goto(`/channels/${channelId}`)
  await Promise.all([
    page.waitForURL('**/calls/*'),
    page.click(`button[title="Start ${kind === 'video' ? 'a video' : 'an audio'} call"]`),
  ])
  await page.waitForFunction(() => (window as any).confabCall)
  return Number(page.url().split('/').pop())
}

/** Accepts the incoming-call modal and waits for the room's media to be up. */
export async function acceptRing(page: Page) {
  await page.waitForSelector('#incoming-call-title')
  await Promise.all([page.waitForURL('**/calls/*'), page.click('button.button--accept')])
  await page.waitForFunction(() => (window as any).confabCall)
}

/** Closes peer connections before the context: TURN allocations do not linger. */
export async function closePages(pages: Page[]) {
  for (const page of pages) {
    await page.evaluate(() => (window as any).confabCall?.mesh.close()).catch(() => {})
    await page.context().close().catch(() => {})
  }
}
