import { setTimeout as sleep } from 'node:timers/promises'
import { ConfabServer, freshSqlite, profileArgs } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { BareSseServer } from '../lib/bare_sse.js'
import { LoadProcess } from '../lib/load_process.js'
import { meterDuring, processUsage } from '../lib/process_stats.js'
import { Report, target } from '../lib/report.js'
import { summarize } from '../lib/stats.js'
import { collectGarbage } from '../lib/inspector.js'
import type { Benchmark } from '../run.js'

/** BENCH_SSE_PORT moves both servers (Confab there, the bare one next to it) off a port in use. */
const CONFAB_PORT = Number(process.env.BENCH_SSE_PORT ?? 3420)
const BARE_PORT = CONFAB_PORT + 1
/**
 * Idle people, each with one SSE stream subscribed to their own `users/:id`: the rings are timed
 * at each count in turn (more streams opened between steps), since the cost of a ring must not
 * grow with people who are not rung. BENCH_RING_IDLE=2000,10000 by default.
 */
const IDLE_STEPS = (process.env.BENCH_RING_IDLE ?? '2000,10000').split(',').map(Number)
const MOST_IDLE = Math.max(...IDLE_STEPS)
/** Channels of 10: alice and 9 invitees, whose streams are connected too. */
const CHANNELS = 10
const INVITEES_PER_CHANNEL = 9
const ROUNDS = Number(process.env.BENCH_RING_ROUNDS ?? 200)
const WARMUP_ROUNDS = 10
/** One start every 100 ms at most: CALL_STARTS_PER_MINUTE caps alice at 600 a minute. */
const INTERVAL_MS = 100

type Spec = { key: string; channels: string[]; cookie?: string }

/**
 * Time to ring: alice's start-call request to the last of 9 invitees' `call.ringing` over SSE,
 * with 2,000 then 10,000 idle subscribers held, against a bare Node SSE server writing the same
 * event to the same 9 subscribers on a trigger while holding as many idle streams.
 */
async function run() {
  const report = new Report('ring', `Time to ring (${IDLE_STEPS.map((count) => count.toLocaleString('en')).join(' then ')} idle SSE subscribers, channels of 10)`)
  const server = new ConfabServer(CONFAB_PORT, freshSqlite('ring'))
  server.migrate()
  const db = await BenchDb.open(server.database)
  const [alice] = await db.people(1, 'alice')
  const channels: { channelId: number; invitees: number[] }[] = []
  for (let i = 0; i < CHANNELS; i++) {
    const invitees = await db.people(INVITEES_PER_CHANNEL, `invitee${i}`)
    channels.push({ channelId: await db.channel(`ring-${i}`, [alice, ...invitees]), invitees })
  }
  const idle = await db.people(MOST_IDLE, 'idle')
  await db.close()

  // The inspector (on a free port) lets the memory readings follow a full garbage collection.
  await server.start(['--inspect=127.0.0.1:0', ...profileArgs()])
  const bare = await new BareSseServer(BARE_PORT).start(['--inspect=127.0.0.1:0'])
  const servers = [server, bare]
  const load = new LoadProcess(new URL('../load/sse_load.ts', import.meta.url))
  try {
    const specFor = (userId: number): Spec => ({ key: `user:${userId}`, channels: [`users/${userId}`], cookie: server.cookieFor(userId) })
    const inviteeSpecs = channels.flatMap((channel) => channel.invitees.map(specFor))
    await load.call('open', { target: 'confab', baseUrl: server.url, specs: inviteeSpecs, concurrency: 16 })
    await load.call('open', { target: 'bare', baseUrl: bare.url, specs: inviteeSpecs, concurrency: 16 })
    await load.call('session', { name: 'alice', baseUrl: server.url, cookie: server.cookieFor(alice) })
    const plan = {
      confabSession: 'alice',
      bareUrl: bare.url,
      channels: channels.map(({ channelId, invitees }) => ({
        channelId,
        inviteeKeys: invitees.map((id) => `user:${id}`),
        inviteeChannels: invitees.map((id) => `users/${id}`),
      })),
      intervalMs: INTERVAL_MS,
    }
    // Warm both servers (JIT, lazily imported controllers and listeners) before the memory baseline.
    await load.call('ring', { ...plan, rounds: 0, warmupRounds: WARMUP_ROUNDS })

    const idleSpecs = idle.map(specFor)
    let opened = 0
    for (const [step, count] of IDLE_STEPS.entries()) {
      const before = await memoryOf(servers)
      const more = idleSpecs.slice(opened, count)
      const confabOpen = await load.call('open', { target: 'confab', baseUrl: server.url, specs: more, concurrency: 32 })
      const bareOpen = await load.call('open', { target: 'bare', baseUrl: bare.url, specs: more, concurrency: 32 })
      const after = await memoryOf(servers)
      const perSubscriberKb = (index: number, reading: 'settled' | 'collected') => (after[index][reading] - before[index][reading]) / more.length / 1024
      opened = count

      const {
        result,
        usages: [confabUsage, bareUsage],
      } = await meterDuring([server.pid, bare.pid], () => load.call<{ confab: number[]; confabFirsts: number[]; confabAnswers: number[]; bare: number[]; payloadBytes: number }>('ring', { ...plan, rounds: ROUNDS, warmupRounds: 0 }))

      const confab = summarize(result.confab)
      const floor = summarize(result.bare)
      const held = count.toLocaleString('en')
      report.table(`${held} idle subscribers: start request -> last of ${INVITEES_PER_CHANNEL} invitees' ring over SSE (ms), ${ROUNDS} calls, one every ${INTERVAL_MS} ms`, [
        { server: 'Confab (POST /channels/:id/calls)', ...confab, cpuCores: confabUsage.cpuCores, rssMb: confabUsage.rssMb, peakRssMb: confabUsage.peakRssMb },
        { server: 'bare Node SSE (POST /broadcast)', ...floor, cpuCores: bareUsage.cpuCores, rssMb: bareUsage.rssMb, peakRssMb: bareUsage.peakRssMb },
        { server: 'Confab: first invitee rang', ...summarize(result.confabFirsts) },
        { server: 'Confab: start request answered', ...summarize(result.confabAnswers) },
        { server: 'ratio Confab / bare', p50: confab.p50 / floor.p50, p95: confab.p95 / floor.p95, p99: confab.p99 / floor.p99, max: confab.max / floor.max, mean: confab.mean / floor.mean },
      ])
      report.table(`Memory of ${more.length.toLocaleString('en')} more idle SSE subscribers (${held} held): RSS before and after opening them, settled, then after a full GC`, [
        { server: 'Confab', ...memoryRow(before[0], after[0]), perSubscriberKb: perSubscriberKb(0, 'collected'), perSubscriberKbBeforeGc: perSubscriberKb(0, 'settled'), openSeconds: confabOpen.seconds },
        { server: 'bare Node SSE', ...memoryRow(before[1], after[1]), perSubscriberKb: perSubscriberKb(1, 'collected'), perSubscriberKbBeforeGc: perSubscriberKb(1, 'settled'), openSeconds: bareOpen.seconds },
      ])
      if (step === 0) {
        report.check(
          target(`ring p99, ${held} idle`, confab.p99, '<=', 15, ' ms'),
          target(`ring p99 / bare SSE p99, ${held} idle`, confab.p99 / floor.p99, '<=', 2.5, '×'),
          target('RSS per idle SSE subscriber (after full GC)', perSubscriberKb(0, 'collected'), '<=', 16, ' KB')
        )
      } else {
        report.check(target(`ring p99, ${held} idle`, confab.p99, '<=', 20, ' ms'))
      }
      if (step === IDLE_STEPS.length - 1) {
        report.note(
          `Each Confab subscriber is a real session: page handshake (GET /up for the XSRF cookie), GET /__transmit/events, POST /__transmit/subscribe users/:id. ` +
            `The bare server sends Confab's own ring payload (${result.payloadBytes} bytes of JSON); calls are ended by alice after each round, bare and Confab rounds alternate.`
        )
      }
    }
    return report.finish()
  } finally {
    await load.call('closeAll').catch(() => {})
    await load.stop()
    await bare.stop()
    await server.stop()
  }
}

/**
 * Each server's RSS twice: once it stops moving (V8 gives memory back only when the process has
 * been idle a moment), then after a full, memory-reducing GC. The second is what holding the
 * subscribers costs; the first also holds the garbage of the requests that opened them and the
 * young generation their burst grew, which V8 keeps until it next shrinks the heap.
 */
async function memoryOf(servers: { pid: number; output: string }[]) {
  const settled = await settledRss(servers.map((server) => server.pid))
  for (const server of servers) await collectGarbage(server.output)
  const collected = await settledRss(servers.map((server) => server.pid))
  return servers.map((_, index) => ({ settled: settled[index], collected: collected[index] }))
}

function memoryRow(before: { settled: number; collected: number }, after: { settled: number; collected: number }) {
  return { rssBeforeMb: mb(before.settled), rssAfterMb: mb(after.settled), rssBeforeGcMb: mb(before.collected), rssAfterGcMb: mb(after.collected) }
}

async function settledRss(pids: number[]) {
  let previous = pids.map((pid) => processUsage(pid).rssBytes)
  for (let i = 0; i < 10; i++) {
    await sleep(1000)
    const now = pids.map((pid) => processUsage(pid).rssBytes)
    const moved = now.some((rss, index) => Math.abs(rss - previous[index]) > 256 * 1024)
    previous = now
    if (!moved) break
  }
  return previous
}

function mb(bytes: number) {
  return bytes / 2 ** 20
}

export default { name: 'ring', title: 'Time to ring', run } satisfies Benchmark
