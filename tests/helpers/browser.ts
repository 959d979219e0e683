import type { Browser, Page } from 'playwright-core'
import type { Page as FirefoxPage } from 'puppeteer-core'
import type { Group } from '@japa/runner/core'
import { closePages, launchChromium } from '#tests/helpers/chromium'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import type User from '#models/user'
import { acceptRing, startCallFrom } from '#tests/helpers/chromium'
import { until } from '#tests/helpers/waiting'
import { channelWith, people } from '#tests/helpers/world'

export { until } from '#tests/helpers/waiting'
export { launchChromium, startCallFrom, acceptRing, closePages } from '#tests/helpers/chromium'

/**
 * What signing in needs from a page, in any driver's words (Playwright's for Chromium,
 * Puppeteer's for Firefox), so both browsers sign in through the same form the same way.
 */
export type SignInSteps = {
  goto(url: string): Promise<unknown>
  fill(selector: string, value: string): Promise<void>
  /** Clicks `selector` and resolves once the page has landed on a URL ending in `path`. */
  clickAndLand(selector: string, path: string): Promise<void>
}

/** Signs `user` in through the login form, then opens `path`. */
export async function signIn(page: SignInSteps, user: User, baseUrl: string, path = '/channels') {
  await page.goto(`${baseUrl}/login`)
  await page.fill('#field-email', user.email)
  await page.fill('#field-password', TEST_PASSWORD)
  await page.clickAndLand('button[type=submit]', '/channels')
  if (path !== '/channels') await page.goto(`${baseUrl}${path}`)
}

/** DEBUG_CALLS=1 npm test -- browser: the pages' call:sdp / call:ice / call:state logs (an init script). */
export function enableCallLogs() {
  // Init scripts also run in the initial about:blank, whose localStorage throws (Firefox says so).
  if (location.protocol.startsWith('http')) localStorage.setItem('debug', 'call:sdp call:ice call:state')
}

/** Records every Content-Security-Policy violation the page meets, for cspViolations(page) (an init script). */
export function recordCspViolations() {
  const violations: string[] = ((window as any).__cspViolations = [])
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}${event.sample ? `: ${event.sample}` : ''}`)
  })
}

/** A signed-in page for `user` in its own browser context (its own cookies, like another person); `timeoutMs` for its every wait. */
export async function pageAs(browser: Browser, user: User, baseUrl: string, path = '/channels', options: { timeoutMs?: number } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, baseURL: baseUrl })
  // Many pages at once on a loaded machine: loads (the sign-in's too) may need more than Playwright's 30 s.
  if (options.timeoutMs) context.setDefaultTimeout(options.timeoutMs)
  if (process.env.DEBUG_CALLS) await context.addInitScript(enableCallLogs)
  await context.addInitScript(recordCspViolations)
  const page = await context.newPage()
  if (process.env.DEBUG_CALLS) page.on('console', (message) => console.log(`[${user.email}] ${message.text()}`))
  page.on('pageerror', (error) => console.error(`[${user.email}] page error: ${error.message}`))
  await signIn(
    {
      goto: (url) => page.goto(url),
      fill: (selector, value) => page.fill(selector, value),
      clickAndLand: async (selector, landing) => {
        await Promise.all([page.waitForURL(`**${landing}`), page.click(selector)])
      },
    },
    user,
    baseUrl,
    path
  )
  return page
}

/**
 * One Chromium for a test group, and a pageAs() that needs no browser: its pages are closed
 * after each test, the browser after the group.
 */
export function chromiumForGroup(group: Group) {
  let browser: Browser
  let pages: Page[] = []
  group.setup(async () => {
    browser = await launchChromium()
    return () => browser.close()
  })
  group.each.teardown(async () => {
    await closePages(pages)
    pages = []
  })
  return async (...args: Parameters<typeof pageAs> extends [any, ...infer Rest] ? Rest : never) => {
    const page = await pageAs(browser, ...args)
    pages.push(page)
    return page
  }
}

/** The CSP violations this page (opened by pageAs) has reported since it loaded. */
export function cspViolations(page: AnyPage): Promise<string[]> {
  return inPage(page, () => (window as any).__cspViolations ?? [])
}

export type PeerStats = {
  remoteUserId: number
  connectionState: RTCPeerConnectionState
  framesDecoded: number
  audioPackets: number
  audioBytes: number
  videoBytes: number
  localCandidateType: string | null
}

/** A Chromium page (Playwright) or a Firefox page (Puppeteer): both run a page function. */
export type AnyPage = Page | FirefoxPage

/** Runs `fn` in the page (with one serializable argument), whichever driver opened it. */
export function inPage<R, A = undefined>(page: AnyPage, fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
  return (page as { evaluate(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> }).evaluate(fn, arg)
}

/** What each of the page's peer connections reports through getStats(), in Chromium or Firefox. */
export function peerStats(page: AnyPage): Promise<PeerStats[]> {
  return inPage(page, async () => {
    const call = (window as any).confabCall
    if (!call) return []
    const result = []
    for (const session of call.mesh.sessions) {
      const report: RTCStatsReport = await session.pc.getStats()
      const totals = { framesDecoded: 0, audioPackets: 0, audioBytes: 0, videoBytes: 0 }
      let nominatedPair: any = null
      let selectedPairId: string | null = null
      const candidates = new Map<string, string>()
      report.forEach((stat: any) => {
        // Only fields both browsers report (docs/call_room.md, "Firefox", lists what differs).
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
          totals.framesDecoded += stat.framesDecoded ?? 0
          totals.videoBytes += stat.bytesReceived ?? 0
        }
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
          totals.audioPackets += stat.packetsReceived ?? 0
          totals.audioBytes += stat.bytesReceived ?? 0
        }
        if (stat.type === 'candidate-pair' && stat.state === 'succeeded' && (stat.nominated || stat.selected)) nominatedPair ??= stat
        if (stat.type === 'transport' && stat.selectedCandidatePairId) selectedPairId = stat.selectedCandidatePairId
        if (stat.type === 'local-candidate') candidates.set(stat.id, stat.candidateType)
      })
      // The pair the transport selected (Chromium), else a nominated or selected one (Firefox):
      // nominated alone can briefly name none, or a pair the transport has left.
      const pair = (selectedPairId && report.get(selectedPairId)) || nominatedPair
      const localCandidateId: string | null = pair?.localCandidateId ?? null
      result.push({
        remoteUserId: session.remoteUserId,
        connectionState: session.pc.connectionState,
        ...totals,
        localCandidateType: localCandidateId ? (candidates.get(localCandidateId) ?? null) : null,
      })
    }
    return result
  })
}

/** Every connection connected and receiving both video frames and audio packets. */
export function receivingEverything(expectedPeers: number, audioOnly = false) {
  return (stats: PeerStats[]) =>
    stats.length === expectedPeers &&
    stats.every(
      (peer) => peer.connectionState === 'connected' && peer.audioPackets > 0 && (audioOnly || peer.framesDecoded > 0)
    )
}

/** The label of the track a page sends to its first peer (camera or screen; microphone), and its SDP. */
export function sentTrack(page: Page, kind: 'audio' | 'video') {
  return page.evaluate((wanted) => {
    const session = (window as any).confabCall.mesh.sessions[0]
    const sender = session.pc.getSenders().find((candidate: RTCRtpSender) => candidate.track?.kind === wanted)
    return { label: sender?.track?.label ?? null, sdp: session.pc.currentLocalDescription?.sdp ?? null }
  }, kind)
}

type OpenPage = (user: User, baseUrl: string, path?: string) => Promise<Page>

/** alice calls bob in a channel of theirs on `baseUrl`, bob accepts, and media flows both ways. */
export async function connectedPairOn(open: OpenPage, baseUrl: string) {
  const [alice, bob] = await people(2)
  const channel = await channelWith([alice!, bob!])
  const alicePage = await open(alice!, baseUrl)
  const bobPage = await open(bob!, baseUrl)
  const callId = await startCallFrom(alicePage, channel.id, 'video')
  await acceptRing(bobPage)
  for (const page of [alicePage, bobPage]) {
    await until(() => peerStats(page), receivingEverything(1), 30_000, 'audio and video both ways')
  }
  return { alice: alice!, bob: bob!, alicePage, bobPage, callId }
}
