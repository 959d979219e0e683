import { ConfabServer, freshSqlite, profileArgs } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { BareSseServer } from '../lib/bare_sse.js'
import { LoadProcess } from '../lib/load_process.js'
import { meterDuring } from '../lib/process_stats.js'
import { Report, target } from '../lib/report.js'
import { summarize } from '../lib/stats.js'
import type { Benchmark } from '../run.js'

/** BENCH_SSE_PORT moves both servers (Confab there, the bare one next to it) off a port in use. */
const CONFAB_PORT = Number(process.env.BENCH_SSE_PORT ?? 3420)
const BARE_PORT = CONFAB_PORT + 1
/** Channel sizes measured in turn, each a channel of its own with every member subscribed. */
const STEPS = (process.env.BENCH_FANOUT_MEMBERS ?? '1000,5000').split(',').map(Number)
/** The target for each size (median / bare median); 1.3× beyond 1,000. */
const RATIO_TARGET = (members: number) => (members <= 1000 ? 1.25 : 1.3)
const ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 40)
const WARMUP_ROUNDS = 5
const INTERVAL_MS = 250

/**
 * Channel fan-out: a member's real message post in a channel of 1,000 (then 5,000) members, each
 * with an SSE stream subscribed to `channels/:id`, until the LAST member receives it; against a
 * bare Node SSE server writing the same bytes to as many streams on a trigger.
 */
async function run() {
  const report = new Report('fanout', `Channel fan-out (${STEPS.map((count) => count.toLocaleString('en')).join(' then ')} subscribed members)`)
  const server = new ConfabServer(CONFAB_PORT, freshSqlite('fanout'))
  server.migrate()
  const db = await BenchDb.open(server.database)
  const members = await db.people(Math.max(...STEPS), 'member')
  const channels: number[] = []
  for (const count of STEPS) channels.push(await db.channel(`fanout-${count}`, members.slice(0, count)))
  await db.close()

  await server.start(profileArgs())
  const bare = await new BareSseServer(BARE_PORT).start()
  const load = new LoadProcess(new URL('../load/sse_load.ts', import.meta.url))
  try {
    // The poster is one of the members, posting from a second tab (their stream counts too).
    await load.call('session', { name: 'poster', baseUrl: server.url, cookie: server.cookieFor(members[0]) })
    for (const [step, count] of STEPS.entries()) {
      const channelId = channels[step]
      const specs = members.slice(0, count).map((userId) => ({ key: `member:${userId}:${channelId}`, channels: [`channels/${channelId}`], cookie: server.cookieFor(userId) }))
      const confabOpen = await load.call('open', { target: 'confab', baseUrl: server.url, specs, concurrency: 32 })
      const bareOpen = await load.call('open', { target: 'bare', baseUrl: bare.url, specs, concurrency: 32 })
      const plan = { confabSession: 'poster', bareUrl: bare.url, channelId, memberKeys: specs.map((spec) => spec.key), intervalMs: INTERVAL_MS }
      await load.call('fanout', { ...plan, rounds: 0, warmupRounds: WARMUP_ROUNDS })

      const {
        result,
        usages: [confabUsage, bareUsage],
      } = await meterDuring([server.pid, bare.pid], () => load.call<{ confab: number[]; confabAnswers: number[]; bare: number[]; payloadBytes: number }>('fanout', { ...plan, rounds: ROUNDS, warmupRounds: 0 }))

      const confab = summarize(result.confab)
      const floor = summarize(result.bare)
      report.table(`Post -> last of ${count} members receives it over SSE (ms), ${ROUNDS} posts, one every ${INTERVAL_MS} ms`, [
        { server: 'Confab (POST /channels/:id/messages)', ...confab, cpuCores: confabUsage.cpuCores, rssMb: confabUsage.rssMb, peakRssMb: confabUsage.peakRssMb, openSeconds: confabOpen.seconds },
        { server: 'bare Node SSE (POST /broadcast)', ...floor, cpuCores: bareUsage.cpuCores, rssMb: bareUsage.rssMb, peakRssMb: bareUsage.peakRssMb, openSeconds: bareOpen.seconds },
        { server: 'Confab: post request answered', ...summarize(result.confabAnswers) },
        { server: 'ratio Confab / bare', p50: confab.p50 / floor.p50, p95: confab.p95 / floor.p95, p99: confab.p99 / floor.p99, max: confab.max / floor.max, mean: confab.mean / floor.mean },
      ])
      report.check(target(`last of ${count.toLocaleString('en')} receivers, median / bare median`, confab.p50 / floor.p50, '<=', RATIO_TARGET(count), '×'))
      if (step === STEPS.length - 1) {
        report.note(
          `Confab members are real sessions (GET /up for the XSRF cookie, GET /__transmit/events, POST /__transmit/subscribe ${'channels/:id'}); ` +
            `the bare server writes Confab's own message.posted payload (${result.payloadBytes} bytes of JSON, new marker each time) to as many streams. Rounds alternate Confab and bare. ` +
            `Each size is a channel of its own; the previous size's streams are closed first.`
        )
      }
      await load.call('close', { target: 'confab', keys: plan.memberKeys })
      await load.call('close', { target: 'bare', keys: plan.memberKeys })
    }
    return report.finish()
  } finally {
    await load.call('closeAll').catch(() => {})
    await load.stop()
    await bare.stop()
    await server.stop()
  }
}

export default { name: 'fanout', title: 'Channel fan-out', run } satisfies Benchmark
