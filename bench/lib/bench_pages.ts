import type { Browser, BrowserContext } from 'playwright-core'
import type { ConfabServer } from './confab.js'

/**
 * A page of `browser` signed in as `userId` with a minted session (no login form), at `path`.
 * `prepare` runs on the context first (init scripts of a benchmark). BENCH_DEBUG=1 prints the
 * page's call logs, stamped with the wall clock (to see where setup time goes).
 */
export async function signedInPage(browser: Browser, server: ConfabServer, userId: number, path: string, prepare?: (context: BrowserContext) => Promise<unknown>) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, baseURL: server.url })
  const cookies = server.cookieFor(userId).split('; ').map((pair) => {
    const index = pair.indexOf('=')
    return { name: pair.slice(0, index), value: pair.slice(index + 1), url: server.url }
  })
  await context.addCookies(cookies)
  await prepare?.(context)
  if (process.env.BENCH_DEBUG) await context.addInitScript(() => localStorage.setItem('debug', 'call:sdp call:ice call:state'))
  const page = await context.newPage()
  // A busy machine (many browsers of one benchmark) loads pages slowly: a minute, not 30 s.
  page.setDefaultNavigationTimeout(60_000)
  if (process.env.BENCH_DEBUG) page.on('console', (message) => console.log(`${Date.now() % 100_000} [user ${userId}] ${message.text()}`))
  await page.goto(path)
  if (!page.url().endsWith(path)) throw new Error(`the minted session was refused (landed on ${page.url()})`)
  return page
}

/** Chromium's own processes (browser, renderer, GPU, utility ...), by type, as it reports them (CDP SystemInfo). */
export async function chromiumProcesses(browser: Browser) {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] }
    return processInfo.map((info) => ({ type: info.type, pid: info.id }))
  } finally {
    await cdp.detach()
  }
}
