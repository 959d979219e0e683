import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import type { Group } from '@japa/runner/core'
import { enableCallLogs, recordCspViolations, signIn } from '#tests/helpers/browser'
import type User from '#models/user'

export type { Page as FirefoxPage } from 'puppeteer-core'

/** Where Firefox is: FIREFOX_PATH, else Debian's firefox-esr package. */
export const firefoxPath = () => process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'

/**
 * Headless Firefox with fake camera and microphone and no permission prompt, the counterpart of
 * Chromium's --use-fake-* flags. Its autoplay policy stays the default a person has: Firefox lets
 * a page that captures the camera or microphone play sound, which the room relies on.
 */
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
}

/**
 * Firefox never offers 127.0.0.1 as an ICE candidate: a call with it needs another address on
 * this machine (STACK.md). The first non-loopback IPv4 address, or null.
 */
export function nonLoopbackAddress() {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal)
    if (found) return found.address
  }
  return null
}

/**
 * Why the Firefox tests cannot run here (no Firefox, or no non-loopback address), or null.
 * REQUIRE_FIREFOX=1 (set by .ci/run) makes either a failure instead of a skip.
 */
export function firefoxMissing() {
  let missing: string | null = null
  if (!existsSync(firefoxPath())) {
    missing = `Firefox not found at ${firefoxPath()}: install it (apt-get install -y firefox-esr) or set FIREFOX_PATH`
  } else if (!nonLoopbackAddress()) {
    missing = 'no non-loopback network address: Firefox offers no 127.0.0.1 ICE candidates'
  }
  if (missing && process.env.REQUIRE_FIREFOX === '1') {
    throw new Error(`The Firefox tests are required (REQUIRE_FIREFOX=1). ${missing}`)
  }
  return missing
}

/** Free of app imports beyond the sign-in, like launchChromium. Over WebDriver BiDi. */
export async function launchFirefox() {
  return puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath(), headless: true, extraPrefsFirefox: FIREFOX_PREFS })
}

/** A signed-in Firefox page for `user` in its own user context (its own cookies). */
export async function firefoxPageAs(browser: Browser, user: User, baseUrl: string, path = '/channels') {
  const context = await browser.createBrowserContext()
  const page = await context.newPage()
  await page.setViewport({ width: 1000, height: 700 })
  if (process.env.DEBUG_CALLS) await page.evaluateOnNewDocument(enableCallLogs)
  await page.evaluateOnNewDocument(recordCspViolations)
  if (process.env.DEBUG_CALLS) page.on('console', (message) => console.log(`[firefox ${user.email}] ${message.text()}`))
  page.on('pageerror', (error) => console.error(`[firefox ${user.email}] page error: ${(error as Error).message}`))
  await signIn(
    {
      goto: (url) => page.goto(url),
      fill: (selector, value) => page.locator(selector).fill(value),
      clickAndLand: async (selector, landing) => {
        await Promise.all([page.waitForNavigation(), page.click(selector)])
        if (!new URL(page.url()).pathname.endsWith(landing)) throw new Error(`Sign-in landed on ${page.url()}, not ${landing}`)
      },
    },
    user,
    baseUrl,
    path
  )
  return page
}

/**
 * One Firefox for a test group (not launched when the group's tests are skipped), and a
 * firefoxPageAs() that needs no browser: its pages are closed after each test, the browser
 * after the group.
 */
export function firefoxForGroup(group: Group) {
  let browser: Browser | null = null
  let pages: Page[] = []
  const skipped = firefoxMissing() !== null
  group.setup(async () => {
    browser = skipped ? null : await launchFirefox()
    return () => browser?.close()
  })
  group.each.teardown(async () => {
    for (const page of pages) {
      await page.evaluate(() => (window as any).confabCall?.mesh.close()).catch(() => {})
      await page.browserContext().close().catch(() => {})
    }
    pages = []
  })
  return async (...args: Parameters<typeof firefoxPageAs> extends [any, ...infer Rest] ? Rest : never) => {
    const page = await firefoxPageAs(browser!, ...args)
    pages.push(page)
    return page
  }
}

/** Clicks what navigates and waits for the call room's media to be up. */
export async function intoRoom(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)])
  if (!new URL(page.url()).pathname.startsWith('/calls/')) throw new Error(`Expected the call room, got ${page.url()}`)
  await page.waitForFunction(() => (window as any).confabCall)
  return Number(page.url().split('/').pop())
}
