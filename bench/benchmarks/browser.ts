import { existsSync } from 'node:fs'
import type { BrowserContext, Page } from 'playwright-core'
import { chromiumPath } from '#tests/browser_setting'
import { acceptRing, closePages, launchChromium, startCallFrom } from '#tests/helpers/chromium'
import { ConfabServer, freshSqlite } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { signedInPage } from '../lib/bench_pages.js'
import { Report, target } from '../lib/report.js'
import { summarize } from '../lib/stats.js'
import type { Benchmark } from '../run.js'

const PORT = 3441
const RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 10)
const STEP_TIMEOUT_MS = 20_000

/** Marks the moment the person clicks Accept; the call room page reads it after the navigation. */
function recordAcceptClick() {
  document.addEventListener(
    'click',
    (event) => {
      if ((event.target as Element | null)?.closest?.('button.button--accept')) sessionStorage.setItem('acceptClickedAt', String(Date.now()))
    },
    true
  )
}

/** In the call room: when the first video frame from the other person was decoded (getStats, every 5 ms). */
function firstDecodedFrame() {
  const deadline = Date.now() + 20_000
  return new Promise<{ clickedAt: number; navigationStart: number; domReady: number; firstFrameAt: number }>((resolve, reject) => {
    const poll = async () => {
      if (Date.now() > deadline) return reject(new Error('no video frame decoded within 20 s'))
      for (const session of (window as any).confabCall?.mesh.sessions ?? []) {
        const stats: RTCStatsReport = await session.pc.getStats()
        let frames = 0
        stats.forEach((stat: any) => {
          if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0
        })
        if (frames > 0) {
          const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
          return resolve({
            clickedAt: Number(sessionStorage.getItem('acceptClickedAt')),
            navigationStart: performance.timeOrigin,
            domReady: performance.timeOrigin + navigation.domContentLoadedEventEnd,
            firstFrameAt: Date.now(),
          })
        }
      }
      setTimeout(poll, 5)
    }
    poll()
  })
}

const recordAccepts = (context: BrowserContext) => context.addInitScript(recordAcceptClick)

/**
 * Browser call setup: bob clicks Accept in the incoming-call modal; time until his page has
 * decoded the first video frame from alice. Both in headless Chromium with fake devices, each
 * run a fresh pair of people and contexts (one warm-up run is not counted).
 */
async function run() {
  const report = new Report('browser', 'Browser call setup: Accept to first remote video frame')
  if (!existsSync(chromiumPath())) {
    report.note(`skipped: Chromium not found at ${chromiumPath()} (apt-get install -y chromium, or set CHROMIUM_PATH)`)
    report.check(target('Accept to first remote frame, median', null, '<=', 700, ' ms', 'skipped: no Chromium'))
    return report.finish()
  }
  const server = new ConfabServer(PORT, freshSqlite('browser'), { CALL_RECONNECT_GRACE: '1' })
  server.migrate()
  const db = await BenchDb.open(server.database)
  const pairs = []
  for (let i = 0; i <= RUNS; i++) {
    const [alice, bob] = await db.people(2, `pair${i}`)
    pairs.push({ alice, bob, channelId: await db.channel(`browser-${i}`, [alice, bob]) })
  }
  await db.close()
  await server.start()
  const browser = await launchChromium()
  const rows = []
  try {
    for (const [index, { alice, bob, channelId }] of pairs.entries()) {
      const alicePage = await signedInPage(browser, server, alice, `/channels/${channelId}`, recordAccepts)
      const bobPage = await signedInPage(browser, server, bob, '/channels', recordAccepts)
      try {
        alicePage.setDefaultTimeout(STEP_TIMEOUT_MS)
        bobPage.setDefaultTimeout(STEP_TIMEOUT_MS)
        await startCallFrom(alicePage, channelId, 'video')
        await acceptRing(bobPage)
        const timing = await bobPage.evaluate(firstDecodedFrame)
        if (!timing.clickedAt) throw new Error('the Accept click was not recorded')
        process.stdout.write(index === 0 ? 'runs: w' : ` ${index}`)
        rows.push({
          run: index === 0 ? 'warm-up' : index,
          'click → call room DOM ready (ms)': timing.domReady - timing.clickedAt,
          'DOM ready → first frame (ms)': timing.firstFrameAt - timing.domReady,
          'click → first frame (ms)': timing.firstFrameAt - timing.clickedAt,
        })
      } finally {
        await closePages([alicePage, bobPage] as Page[])
      }
    }
  } finally {
    await browser.close()
    await server.stop()
  }
  console.log('')
  report.table('Each run (Chromium headless, fake camera and microphone, loopback)', rows)
  const measured = rows.filter((row) => row.run !== 'warm-up')
  const total = summarize(measured.map((row) => row['click → first frame (ms)']))
  const page = summarize(measured.map((row) => row['click → call room DOM ready (ms)']))
  report.table('Summary of the measured runs (ms)', [
    { phase: 'click → call room DOM ready', ...page },
    { phase: 'click → first remote frame', ...total },
  ])
  report.check(target('Accept to first remote frame, median', total.p50, '<=', 700, ' ms', `max ${total.max} ms over ${total.count} runs`))
  return report.finish()
}

export default { name: 'browser', title: 'Browser call setup', run } satisfies Benchmark
