import { existsSync } from 'node:fs'
import os from 'node:os'
import type { Browser, Page } from 'playwright-core'
import { chromiumPath } from '#tests/browser_setting'
import { closePages, launchChromium } from '#tests/helpers/chromium'
import { JanusNamespace, JanusServer } from '#tests/helpers/janus'
import { APP_ROOT, ConfabServer, freshSqlite } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { chromiumProcesses, signedInPage } from '../lib/bench_pages.js'
import { mediaCounters, mediaRates, type MediaCounters } from '../lib/call_media_counters.js'
import { processUsage } from '../lib/process_stats.js'
import { Report } from '../lib/report.js'
import { median } from '../lib/stats.js'
import type { Benchmark } from '../run.js'

const PORT = Number(process.env.BENCH_SFU_PORT ?? 4037)
/** Janus's WebSocket port, inside the Janus namespace (JANUS_TEST_NET gives each checkout its own). */
const JANUS_WS_PORT = 4038
const SIZES = (process.env.BENCH_SFU_SIZES ?? '4,8,12').split(',').map(Number)
const TOPOLOGIES = (process.env.BENCH_SFU_TOPOLOGIES ?? 'mesh,sfu').split(',') as Topology[]
const STEADY_SECONDS = Number(process.env.BENCH_SFU_SECONDS ?? 20)
/** The most people a mesh call holds (CALL_MAX_PARTICIPANTS without an SFU). */
const MESH_MAX = 8
/** How long a row may take to get every page decoding everyone before it is measured anyway. */
const SETUP_TIMEOUT_MS = Number(process.env.BENCH_SFU_SETUP_SECONDS ?? 120) * 1000

type Topology = 'mesh' | 'sfu'
type Row = { size: number; topology: Topology; people: number[]; channelId: number }

/** CPU seconds and RSS summed over processes; processes gone meanwhile count what was read. */
function usageOf(pids: number[]) {
  let cpuSeconds = 0
  let rssBytes = 0
  for (const pid of pids) {
    try {
      const usage = processUsage(pid)
      cpuSeconds += usage.cpuSeconds
      rssBytes += usage.rssBytes
    } catch {}
  }
  return { cpuSeconds, rssBytes }
}

const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(0))
const percent = (cpuSeconds: number, seconds: number) => Number(((cpuSeconds / seconds) * 100).toFixed(1))
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every page decodes a video of each other person (two readings a second apart), or the deadline passes. */
async function untilEveryoneDecodes(pages: Page[], topology: Topology) {
  const started = Date.now()
  const others = pages.length - 1
  for (;;) {
    const before = await Promise.all(pages.map(mediaCounters))
    await sleep(1000)
    const after = await Promise.all(pages.map(mediaCounters))
    const playing = after.map((counters, i) => {
      const onTopology = topology === 'sfu' ? counters.meshConnections === 0 && counters.sfuConnections === 2 : counters.sfuConnections === 0
      return onTopology && mediaRates(before[i]!, counters).videosPlaying >= others
    })
    const ready = playing.filter(Boolean).length
    if (ready === pages.length || Date.now() - started > SETUP_TIMEOUT_MS) return { ready, ms: Date.now() - started }
    await sleep(1000)
  }
}

/**
 * One row: `size` people, each in a Chromium of their own (as each person has their own
 * browser) with fake camera and microphone, opening the call room of a live call they are
 * joined to. Once every page decodes everyone, each process is measured over the steady state.
 */
async function measureRow(row: Row, server: ConfabServer, janus: JanusServer | null) {
  const browsers: Browser[] = []
  const pages: Page[] = []
  try {
    for (const _ of row.people) browsers.push(await launchChromium())
    // The call starts once every browser is up: the pages then open its room together.
    const db = await BenchDb.open(server.database)
    const callId = await db.liveCall(row.channelId, row.people)
    await db.close()
    pages.push(...(await Promise.all(row.people.map((userId, i) => signedInPage(browsers[i]!, server, userId, `/calls/${callId}`)))))
    const setup = await untilEveryoneDecodes(pages, row.topology)
    if (process.env.BENCH_DEBUG) {
      for (const page of pages) {
        console.log(await page.evaluate(() => ({ url: location.href, signaling: (window as any).confabCall?.signaling.state, text: document.body.innerText.slice(0, 300) })))
      }
    }
    await sleep(3000)
    const processes = await Promise.all(browsers.map(chromiumProcesses))
    const renderers = processes.map((list) => list.filter((process) => process.type === 'renderer').map((process) => process.pid))
    const everything = processes.map((list) => list.map((process) => process.pid))
    const load = os.loadavg()[0]!
    const startedAt = performance.now()
    const cpuBefore = {
      renderers: renderers.map((pids) => usageOf(pids).cpuSeconds),
      browsers: everything.map((pids) => usageOf(pids).cpuSeconds),
      janus: janus?.pid ? usageOf([janus.pid]).cpuSeconds : 0,
      confab: usageOf([server.pid]).cpuSeconds,
    }
    const countersBefore: MediaCounters[] = await Promise.all(pages.map(mediaCounters))
    await sleep(STEADY_SECONDS * 1000)
    const countersAfter = await Promise.all(pages.map(mediaCounters))
    const seconds = (performance.now() - startedAt) / 1000
    const rendererUse = renderers.map((pids, i) => ({ cpu: percent(usageOf(pids).cpuSeconds - cpuBefore.renderers[i]!, seconds), rss: mb(usageOf(pids).rssBytes) }))
    const browserUse = everything.map((pids, i) => ({ cpu: percent(usageOf(pids).cpuSeconds - cpuBefore.browsers[i]!, seconds), rss: mb(usageOf(pids).rssBytes) }))
    const janusUse = janus?.pid ? { cpu: percent(usageOf([janus.pid]).cpuSeconds - cpuBefore.janus, seconds), rss: mb(usageOf([janus.pid]).rssBytes) } : null
    const confabUse = { cpu: percent(usageOf([server.pid]).cpuSeconds - cpuBefore.confab, seconds), rss: mb(usageOf([server.pid]).rssBytes) }
    const rates = countersAfter.map((after, i) => mediaRates(countersBefore[i]!, after))
    const perPage = rates.map((rate, i) => ({
      participants: row.size,
      topology: row.topology,
      page: i + 1,
      'renderer CPU %': rendererUse[i]!.cpu,
      'renderer RSS MB': rendererUse[i]!.rss,
      'browser CPU %': browserUse[i]!.cpu,
      'browser RSS MB': browserUse[i]!.rss,
      'up kbit/s': Math.round(rate.upKbps),
      'down kbit/s': Math.round(rate.downKbps),
      'videos playing': `${rate.videosPlaying}/${row.size - 1}`,
      'median fps': Number(median(rate.fps).toFixed(1)),
    }))
    const allFps = rates.flatMap((rate) => rate.fps)
    return {
      perPage,
      summary: {
        participants: row.size,
        topology: row.topology,
        'pages decoding all': `${rates.filter((rate) => rate.videosPlaying >= row.size - 1).length}/${row.size}`,
        'setup s': Number((setup.ms / 1000).toFixed(1)),
        'renderer CPU % (mean/max)': `${mean(rendererUse.map((use) => use.cpu)).toFixed(0)} / ${Math.max(...rendererUse.map((use) => use.cpu)).toFixed(0)}`,
        'renderer RSS MB': Math.round(mean(rendererUse.map((use) => use.rss))),
        'browser CPU %': Math.round(mean(browserUse.map((use) => use.cpu))),
        'browser RSS MB': Math.round(mean(browserUse.map((use) => use.rss))),
        'Janus CPU %': janusUse?.cpu ?? '-',
        'Janus RSS MB': janusUse?.rss ?? '-',
        'Confab CPU %': confabUse.cpu,
        'up kbit/s': Math.round(mean(rates.map((rate) => rate.upKbps))),
        'down kbit/s': Math.round(mean(rates.map((rate) => rate.downKbps))),
        'video fps (median/min)': `${median(allFps).toFixed(1)} / ${Math.min(...allFps).toFixed(1)}`,
        'load 1m': Number(load.toFixed(1)),
      },
    }
  } finally {
    await closePages(pages)
    for (const browser of browsers) await browser.close().catch(() => {})
  }
}

/**
 * Calls of 4, 8 and 12 people in a mesh (CALL_SFU_FROM=off, up to 8) and through a real Janus
 * (CALL_SFU_FROM=0): CPU and RSS of each person's Chromium, of Janus and of Confab, and each
 * page's upload and download (getStats) over STEADY_SECONDS of steady state.
 */
async function run() {
  const report = new Report('sfu', 'Calls through Janus vs the mesh: CPU, memory and bandwidth per browser and server')
  const missing = !existsSync(chromiumPath()) ? `Chromium not found at ${chromiumPath()} (apt-get install -y chromium, or set CHROMIUM_PATH)` : JanusNamespace.missing()
  if (missing) {
    report.note(`skipped: ${missing}`)
    return report.finish()
  }
  const namespace = new JanusNamespace().create()
  const janus = new JanusServer(`${APP_ROOT}tmp`, { wsPort: JANUS_WS_PORT, rtpPorts: '20000-20400' })
  const database = freshSqlite('sfu')
  const janusEnv = {
    JANUS_URLS: janus.url,
    JANUS_API_SECRET: janus.apiSecret,
    CALL_MAX_PARTICIPANTS: String(Math.max(...SIZES, MESH_MAX)),
    // Twelve pages loading on a busy machine can take longer than the default 20 s to connect,
    // and a joined person with no socket past the grace is taken out of the call.
    CALL_RECONNECT_GRACE: '300',
  }
  const servers: Record<Topology, ConfabServer> = {
    mesh: new ConfabServer(PORT, database, { ...janusEnv, CALL_SFU_FROM: 'off' }),
    sfu: new ConfabServer(PORT, database, { ...janusEnv, CALL_SFU_FROM: '0' }),
  }
  const rows: Row[] = []
  const perPage: Record<string, unknown>[] = []
  const summaries: Record<string, unknown>[] = []
  try {
    await janus.start()
    servers.mesh.migrate()
    const db = await BenchDb.open(database)
    for (const topology of TOPOLOGIES) {
      for (const size of SIZES) {
        if (topology === 'mesh' && size > MESH_MAX) continue
        const people = await db.people(size, `${topology}${size}`)
        const channelId = await db.channel(`sfu-bench-${topology}-${size}`, people)
        rows.push({ size, topology, people, channelId })
      }
    }
    await db.close()
    for (const topology of TOPOLOGIES) {
      const server = servers[topology]
      await server.start()
      try {
        for (const row of rows.filter((candidate) => candidate.topology === topology)) {
          console.log(`${row.size} people, ${topology}: starting ${row.size} Chromium pages...`)
          // A row this machine cannot hold is reported as such; the next rows still run.
          const result = await measureRow(row, server, topology === 'sfu' ? janus : null).catch((error: Error) => {
            report.note(`${row.size} people, ${topology}: not measured (${error.message.split('\n')[0]})`)
            return null
          })
          if (!result) continue
          perPage.push(...result.perPage)
          summaries.push(result.summary)
          console.log(JSON.stringify(result.summary))
        }
      } finally {
        await server.stop()
      }
    }
  } finally {
    await janus.stop()
    namespace.remove()
  }
  report.table(`Per row: mean per browser over ${STEADY_SECONDS} s of steady state (CPU % of one core; ${os.cpus().length} cores)`, summaries)
  report.table('Per page', perPage)
  report.note(`load average over the run (1/5/15 min) at the end: ${os.loadavg().map((load) => load.toFixed(1)).join(' / ')}`)
  return report.finish()
}

export default { name: 'sfu', title: 'SFU vs mesh: browsers and Janus', run } satisfies Benchmark
