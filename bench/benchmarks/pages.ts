/*
| 4. Pages: requests per second and latency of the channel page (50 messages) and the call history
| page, as a signed-in member, under closed-loop load from autocannon in its own process; the
| floor is `GET /up`, a bare route of the same app (same middleware, same session cookie).
*/
import os from 'node:os'
import type { Benchmark } from '../run.js'
import { ConfabServer, freshSqlite, profileArgs } from '../lib/confab.js'
import { BenchDb, timestamp } from '../lib/bench_db.js'
import { LoadProcess } from '../lib/load_process.js'
import { ProcessMeter } from '../lib/process_stats.js'
import { Report, target } from '../lib/report.js'
import type { LatencySummary } from '../lib/stats.js'

/** BENCH_PAGES_PORT moves the server off a port in use (two checkouts benchmarking at once). */
const PORT = Number(process.env.BENCH_PAGES_PORT ?? 3430)
const CONNECTIONS = 20
const SECONDS = 8
const WARMUP_SECONDS = 2

type AutocannonResult = { requestsPerSecond: number; latency: LatencySummary; statuses: Record<string, number>; errors: number; timeouts: number; bytesPerResponse: number }

const pages: Benchmark = {
  name: 'pages',
  title: 'Pages: channel page and call history under load, next to a bare route',
  async run() {
    const report = new Report(pages.name, pages.title)
    report.note(`load average when it started: ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`)
    const server = new ConfabServer(PORT, freshSqlite('pages'))
    server.migrate()
    const db = await BenchDb.open(server.database)
    const world = await seedWorld(db)
    await db.close()

    await server.start(profileArgs())
    const load = new LoadProcess(new URL('../load/http_requests.ts', import.meta.url))
    try {
      const cookie = server.cookieFor(world.aliceId)
      // Issue 14's targets: throughput over the floor's, and server CPU per request.
      const targets = [
        { page: 'floor: GET /up', path: '/up', expect: (html: string) => html === 'OK' },
        { page: `channel page (/channels/:id, ${world.messagesOnPage} messages)`, path: `/channels/${world.channelId}`, expect: (html: string) => count(html, 'data-message-id=') === world.messagesOnPage, short: 'channel page (50 messages)', minRatio: 0.3, maxCpuMs: 2.5 },
        { page: 'call history (/calls?tab=all, 25 calls)', path: '/calls?tab=all', expect: (html: string) => count(html, '<tr class="call-history__row') === 25, short: 'call history (25 calls)', minRatio: 0.35, maxCpuMs: 2 },
      ]
      // Each page answers what a browser would see, before it is measured.
      for (const { page, path, expect } of targets) {
        const response = await fetch(server.url + path, { headers: { cookie }, redirect: 'manual' })
        const body = await response.text()
        if (response.status !== 200 || !expect(body)) throw new Error(`${page} is not the expected page (status ${response.status}, ${body.length} bytes)`)
      }

      const rows: Record<string, unknown>[] = []
      let floor: AutocannonResult | undefined
      for (const { page, path, short, minRatio, maxCpuMs } of targets) {
        const run = (durationSeconds: number) =>
          load.call<AutocannonResult>('autocannon', { url: server.url + path, headers: { cookie, accept: 'text/html' }, connections: CONNECTIONS, durationSeconds })
        await run(WARMUP_SECONDS)
        const meter = new ProcessMeter(server.pid)
        const result = await run(SECONDS)
        const usage = meter.stop()
        const failed = Object.entries(result.statuses).filter(([status]) => status !== '200')
        if (failed.length || result.errors || result.timeouts) {
          report.note(`${page}: non-200 answers ${JSON.stringify(Object.fromEntries(failed))}, ${result.errors} errors, ${result.timeouts} timeouts`)
        }
        floor ??= result
        const cpuMsPerRequest = (usage.cpuCores * 1000) / result.requestsPerSecond
        if (short) {
          report.check(
            target(`${short}: throughput / GET /up`, result.requestsPerSecond / floor.requestsPerSecond, '>=', minRatio!, '×'),
            target(`${short}: server CPU per request`, cpuMsPerRequest, '<=', maxCpuMs!, ' ms')
          )
        }
        rows.push({
          page,
          'req/s': Math.round(result.requestsPerSecond),
          'x floor': Number((result.requestsPerSecond / floor.requestsPerSecond).toFixed(3)),
          'p50 ms': result.latency.p50,
          'p95 ms': result.latency.p95,
          'p99 ms': result.latency.p99,
          'max ms': result.latency.max,
          'KB/resp': Number((result.bytesPerResponse / 1024).toFixed(1)),
          'server CPU cores': usage.cpuCores,
          'CPU ms/req': Number(cpuMsPerRequest.toFixed(2)),
          'RSS MB': usage.rssMb,
          'peak RSS MB': usage.peakRssMb,
        })
      }
      report.table(`${CONNECTIONS} connections, ${SECONDS} s per page (after ${WARMUP_SECONDS} s of warm-up), autocannon in its own process, production build on SQLite`, rows)
      report.note('"x floor" is the page\'s throughput over /up\'s in this run; /up carries the same session cookie, so the ratio leaves out what every signed-in request pays anyway.')
      report.note('The channel page also moves the viewer\'s read marker (an UPDATE that finds nothing to do after the first request).')
    } finally {
      await load.stop()
      await server.stop()
    }
    return report.finish()
  },
}

export default pages

function count(text: string, needle: string) {
  return text.split(needle).length - 1
}

/**
 * A team of 200 with alice in a 20-member channel: 120 messages there (every 10th one a call's
 * timeline entry) and 60 finished calls in her history.
 */
export async function seedWorld(db: BenchDb) {
  const people = await db.people(200, 'pages')
  const members = people.slice(0, 20)
  const aliceId = members[0]
  const channelId = await db.channel('general', members)
  const start = Date.parse('2026-01-05T09:00:00Z')
  const at = (minutes: number) => timestamp(new Date(start + minutes * 60_000))

  const callIds = await db.insert(
    'calls',
    Array.from({ length: 60 }, (_, i) => {
      const status = ['ended', 'ended', 'missed', 'ended', 'declined'][i % 5]
      return {
        channel_id: channelId,
        initiator_id: members[(i * 7) % members.length],
        kind: i % 3 === 0 ? 'video' : 'audio',
        status,
        answered_at: status === 'ended' ? at(i * 30 + 1) : null,
        ended_at: at(i * 30 + 12),
        end_reason: { ended: 'everyone_left', missed: 'no_answer', declined: 'declined' }[status]!,
        created_at: at(i * 30),
        updated_at: at(i * 30 + 12),
      }
    })
  )
  await db.insert(
    'call_participants',
    callIds.flatMap((callId, i) => {
      const caller = members[(i * 7) % members.length]
      const callees = [aliceId, members[(i % 18) + 1], members[((i + 5) % 18) + 1]].filter((id, j, all) => id !== caller && all.indexOf(id) === j)
      const outcome = ['left', 'left', 'missed', 'left', 'declined'][i % 5]
      return [caller, ...callees].map((userId) => ({
        call_id: callId,
        user_id: userId,
        status: userId === caller ? 'left' : outcome,
        invited_at: at(i * 30),
        joined_at: outcome === 'left' || userId === caller ? at(i * 30 + 1) : null,
        left_at: outcome === 'left' || userId === caller ? at(i * 30 + 12) : null,
        audio_enabled: true,
        video_enabled: i % 3 === 0,
        screen_sharing: false,
        created_at: at(i * 30),
        updated_at: at(i * 30 + 12),
      }))
    })
  )

  const sentence = 'Pushed the fix for the reconnect storm; the staging numbers look good, can someone double-check the TURN fallback before lunch?'
  await db.insert(
    'messages',
    Array.from({ length: 120 }, (_, i) => ({
      channel_id: channelId,
      user_id: members[i % members.length],
      body: `${i + 1}. ${sentence.slice(0, 40 + ((i * 37) % 90))}`,
      call_id: i % 10 === 9 ? callIds[60 - 12 + Math.floor(i / 10)] : null,
      created_at: at(i * 15),
      updated_at: at(i * 15),
    }))
  )
  return { aliceId, channelId, messagesOnPage: 50 }
}
