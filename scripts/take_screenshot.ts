/*
| Takes the README's screenshots with headless Chromium: the channel page, and the call room at
| desktop (1280×720) and phone (390×844) sizes during a two-person video call with fake camera
| and microphone. Run `npm run dev` in one terminal (its demo data), then `npm run screenshot`.
| Needs Chromium (`apt-get install -y chromium`) or CHROMIUM_PATH. The call is ended for
| everyone afterwards, so the demo data is left without a live call.
*/
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../tests/helpers/chromium.js'

const baseUrl = process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3333}`

/** A signed-in demo person in their own browser context (their own cookies). */
async function signIn(browser: Browser, email: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, baseURL: baseUrl })
  const page = await context.newPage()
  await page.goto('/login')
  await page.fill('#field-email', email)
  await page.fill('#field-password', 'confab-demo')
  await Promise.all([page.waitForURL('**/channels'), page.click('button[type=submit]')])
  return page
}

/** Waits until every tile on the page shows its picture (or initials) and has settled. */
async function tilesReady(page: Page, count: number) {
  await page.waitForFunction(
    (wanted) => {
      const videos = [...document.querySelectorAll<HTMLVideoElement>('.tile video')]
      return videos.length === wanted && videos.every((video) => video.readyState >= 2)
    },
    count,
    { timeout: 30_000 }
  )
  // Headless pages may still ask for a touch before sound plays.
  const unlock = page.getByRole('button', { name: 'Start audio' })
  if (await unlock.isVisible()) await unlock.click()
  await page.waitForTimeout(1500)
}

const browser = await launchChromium()
try {
  const alice = await signIn(browser, 'alice@example.com', { width: 1280, height: 760 })
  await alice.click('.sidebar__link:has-text("general")')
  await alice.waitForSelector('#messages .message')
  await alice.screenshot({ path: 'docs/channel-page.png' })
  console.log('Saved docs/channel-page.png')

  // bob joins from a phone-sized page.
  const bob = await signIn(browser, 'bob@example.com', { width: 390, height: 844 })
  const channelUrl = alice.url()
  await bob.goto(channelUrl)
  await alice.setViewportSize({ width: 1280, height: 720 })
  await Promise.all([alice.waitForURL('**/calls/*'), alice.click('button[title="Start a video call"]')])
  await bob.waitForSelector('#incoming-call-title')
  await Promise.all([bob.waitForURL('**/calls/*'), bob.click('button.button--accept')])
  await tilesReady(alice, 2)
  await tilesReady(bob, 2)

  await alice.screenshot({ path: 'docs/call-room-desktop.png' })
  console.log('Saved docs/call-room-desktop.png')
  await bob.screenshot({ path: 'docs/call-room-phone.png' })
  console.log('Saved docs/call-room-phone.png')

  alice.on('dialog', (dialog) => void dialog.accept())
  const end = alice.getByRole('button', { name: 'End for everyone' })
  await end.click()
  await end.waitFor({ state: 'detached' })
  for (const page of [alice, bob]) await page.context().close()
} finally {
  await browser.close()
}
