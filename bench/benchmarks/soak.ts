/*
| The memory soak (issue 10, item 6), run only when named: `npm run bench -- soak`. One Confab
| production server holds 4,000 call WebSockets (1,000 live four-person calls) and 4,000 SSE
| streams (one per person, each subscribed to its own `users/:id`) for 10 minutes, with the
| server's own pings (call sockets every 10 s, Transmit every 30 s), a trickle of call frames
| (signals between the paired participants of each call plus `media` frames, 200 frames/s in
| all) and a message posted every 5 s in a channel whose 400 members' streams subscribe to it.
| RSS is sampled every 10 s; the target is RSS at the end within 10% of RSS after minute 1.
|
| Knobs: BENCH_SOAK_SOCKETS (4000, rounded up to calls of four), BENCH_SOAK_STREAMS (4000),
| BENCH_SOAK_MINUTES (10), BENCH_SOAK_FRAME_RATE (200 frames/s), BENCH_SOAK_CHANNEL_STREAMS (400
| streams subscribed to the posted-in channel), BENCH_SOAK_POST_SECONDS (5).
| Both load generators run in their own processes (signaling_load.ts, sse_load.ts) over loopback,
| and every phase has a deadline.
*/
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfabServer, freshSqlite, profileArgs } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { LoadProcess } from '../lib/load_process.js'
import { collectGarbage, memoryUsage } from '../lib/inspector.js'
import { meterDuring, processUsage, type ProcessMeter } from '../lib/process_stats.js'
import { Report, target } from '../lib/report.js'
import { summarize, type LatencySummary } from '../lib/stats.js'
import type { CallSeed } from '../load/signaling_load.js'
import type { Benchmark } from '../run.js'

const PORT = 3450
const INSPECTOR_PORT = 3451

function knob(name: string, fallback: number) {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${process.env[name]}`)
  return value
}

const CALLS = Math.ceil(knob('BENCH_SOAK_SOCKETS', 4000) / 4)
const STREAMS = knob('BENCH_SOAK_STREAMS', 4000)
const MINUTES = knob('BENCH_SOAK_MINUTES', 10)
const FRAME_RATE = knob('BENCH_SOAK_FRAME_RATE', 200)
const CHANNEL_STREAMS = Math.min(STREAMS, knob('BENCH_SOAK_CHANNEL_STREAMS', 400))
const POST_SECONDS = knob('BENCH_SOAK_POST_SECONDS', 5)
/** Posts rotate over this many members, so no one person posts more than once every 50 s. */
const POSTERS = Math.min(10, CHANNEL_STREAMS)
const SAMPLE_MS = 10_000
const FRAME_ROUND_MS = 10_000

/** RSS split into anonymous (the process's own) and file-backed (code) pages, and the V8 heap and `external` memory. */
type Sample = { seconds: number; rssMb: number; anonMb: number; fileMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; load1: number }
type FrameRound = { endedAt: number; sent: number; delivered: number; lost: number; latency: LatencySummary; errors: Record<string, number>; closes: Record<string, number>; sockets: number }
type Post = { at: number; latencyMs: number; answeredMs: number }

/** Resolves with `work`, or rejects once `seconds` have passed: every phase has a deadline. */
async function within<T>(seconds: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${seconds} s`)), seconds * 1000)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1))

/** Least-squares slope of `y` over `x`. */
function slope(points: { x: number; y: number }[]) {
  const n = points.length
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n
  let covariance = 0
  let variance = 0
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY)
    variance += (x - meanX) ** 2
  }
  return variance ? covariance / variance : 0
}

/**
 * The soak itself: three loops until `endAt` (RSS samples, rounds of call frames, posts), each
 * stopping at once when another fails.
 */
class Soak {
  readonly samples: Sample[] = []
  readonly rounds: FrameRound[] = []
  readonly posts: Post[] = []
  /** Memory after a full GC just before the soak's clock starts. */
  collectedAtStart?: Sample
  #startedAt = 0
  #endAt = 0
  readonly #abort = new AbortController()

  constructor(
    private server: ConfabServer,
    private signaling: LoadProcess,
    private sse: LoadProcess,
    private post: { channelId: number; memberKeys: string[]; posters: string[] }
  ) {}

  async run() {
    // The GC drops the garbage of opening 8,000 connections, so minute 1 is read from the steady
    // state rather than from the burst (it can only make the comparison stricter), and it leaves
    // the samples of the soak itself undisturbed.
    this.collectedAtStart = await this.readCollected()
    this.#startedAt = performance.now()
    this.#endAt = this.#startedAt + MINUTES * 60_000
    try {
      await Promise.all([this.#sampleRss(), this.#sendFrames(), this.#postMessages()])
    } catch (error) {
      this.#abort.abort()
      throw error
    }
  }

  #seconds() {
    return (performance.now() - this.#startedAt) / 1000
  }

  async #until(time: number) {
    const wait = time - performance.now()
    if (wait > 0) await sleep(wait, undefined, { signal: this.#abort.signal })
    this.#abort.signal.throwIfAborted()
  }

  async #sampleRss() {
    for (let next = this.#startedAt; next <= this.#endAt + 1; next += SAMPLE_MS) {
      await this.#until(next)
      const sample = await this.readSample()
      this.samples.push(sample)
      if (this.samples.length % 6 === 1) console.log(`  ${Math.round(sample.seconds)} s: RSS ${sample.rssMb} MB, heap ${sample.heapUsedMb} MB used, load ${sample.load1}`)
    }
  }

  async readSample(): Promise<Sample> {
    const rss = processUsage(this.server.pid)
    const memory = await within(10, 'reading the heap', memoryUsage(this.server.output))
    return {
      seconds: this.#seconds(),
      rssMb: mb(rss.rssBytes),
      anonMb: mb(rss.rssAnonBytes),
      fileMb: mb(rss.rssFileBytes),
      heapUsedMb: mb(memory.heapUsed),
      heapTotalMb: mb(memory.heapTotal),
      externalMb: mb(memory.external),
      load1: Number(os.loadavg()[0].toFixed(2)),
    }
  }

  /** A sample after a full GC (through the inspector): what the server really holds. */
  async readCollected() {
    await within(30, 'a full GC', collectGarbage(this.server.output))
    await sleep(500)
    return this.readSample()
  }

  /** Rounds of 10 s at FRAME_RATE frames/s over every socket (the open loop of the signaling benchmark). */
  async #sendFrames() {
    for (;;) {
      const left = this.#endAt - performance.now()
      if (left < 1000) return
      const measureMs = Math.min(FRAME_ROUND_MS, left)
      const result = await within(60, 'a round of call frames', this.signaling.call('run', { mode: 'rate', rate: FRAME_RATE, warmupMs: 0, measureMs, firstRound: true }))
      this.#abort.signal.throwIfAborted()
      this.rounds.push({
        endedAt: this.#seconds(),
        sent: Math.round((result.sentPerSecond * measureMs) / 1000),
        delivered: Math.round((result.deliveredPerSecond * measureMs) / 1000),
        lost: result.lost,
        latency: result.latency,
        errors: result.errors,
        closes: result.closes,
        sockets: result.sockets,
      })
    }
  }

  /** A real message post every POST_SECONDS, timed until the last subscribed member has it. */
  async #postMessages() {
    for (let index = 0; ; index++) {
      const due = this.#startedAt + index * POST_SECONDS * 1000
      if (due >= this.#endAt) return
      await this.#until(due)
      const { channelId, memberKeys, posters } = this.post
      const plan = { confabSession: posters[index % posters.length], channelId, memberKeys, rounds: 1, warmupRounds: 0, intervalMs: 0 }
      const result = await within(30, 'a message post', this.sse.call<{ confab: number[]; confabAnswers: number[] }>('fanout', plan))
      this.posts.push({ at: this.#seconds(), latencyMs: result.confab[0], answeredMs: result.confabAnswers[0] })
    }
  }
}

async function run() {
  const report = new Report('soak', `Memory soak: ${CALLS * 4} call sockets and ${STREAMS} SSE streams for ${MINUTES} min`)
  const started = Date.now()
  // Calls start in the database before their sockets connect; the grace keeps the sweeper from
  // counting the last ones' people as gone while 4,000 sockets connect.
  // MALLOC_ARENA_MAX, when set, reaches the server: glibc's allocator arenas are where native
  // memory outside V8 stays after a GC (see bench/README.md).
  const arenas: Record<string, string> = process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}
  const server = new ConfabServer(PORT, freshSqlite('soak'), { CALL_RECONNECT_GRACE: '300', ...arenas })
  server.migrate()
  const db = await BenchDb.open(server.database)
  const channels = await db.channelsOfFour(CALLS, 'soak')
  const people = channels.flatMap((channel) => channel.memberIds)
  if (STREAMS > people.length) people.push(...(await db.people(STREAMS - people.length, 'soak-streams')))
  const streamOwners = people.slice(0, STREAMS)
  const members = streamOwners.slice(0, CHANNEL_STREAMS)
  const broadcastChannelId = await db.channel('soak-broadcast', members)

  await server.start([`--inspect=127.0.0.1:${INSPECTOR_PORT}`, ...profileArgs()])
  const signaling = new LoadProcess(new URL('../load/signaling_load.ts', import.meta.url))
  const sse = new LoadProcess(new URL('../load/sse_load.ts', import.meta.url))
  const loadAtStart = os.loadavg()
  try {
    // `await`: the sessions helper may mint sessions in a server-side store.
    const cookieOf = async (userId: number) => await server.cookieFor(userId)
    const calls: CallSeed[] = []
    for (const { channelId, memberIds } of channels) {
      calls.push({ callId: await db.liveCall(channelId, memberIds), members: await Promise.all(memberIds.map(async (userId) => ({ userId, cookie: await cookieOf(userId) }))) })
    }
    const connect = await within(300, 'connecting the call sockets', signaling.call('connect', { target: { kind: 'confab', url: server.url }, calls, concurrency: 50 }))
    if (connect.failed) throw new Error(`${connect.failed} of ${CALLS * 4} call sockets failed to connect: ${connect.firstFailures.join('; ')}`)
    console.log(`  ${connect.connected} call sockets connected in ${connect.seconds.toFixed(1)} s`)

    const memberSet = new Set(members)
    const specs = await Promise.all(
      streamOwners.map(async (userId) => ({
        key: `user:${userId}`,
        channels: memberSet.has(userId) ? [`users/${userId}`, `channels/${broadcastChannelId}`] : [`users/${userId}`],
        cookie: await cookieOf(userId),
      }))
    )
    const opened = await within(300, 'opening the SSE streams', sse.call('open', { target: 'confab', baseUrl: server.url, specs, concurrency: 32 }))
    console.log(`  ${opened.opened} SSE streams open in ${opened.seconds.toFixed(1)} s`)
    const posters = members.slice(0, POSTERS).map((userId) => `poster:${userId}`)
    for (const [index, name] of posters.entries()) {
      await within(30, 'a poster page', sse.call('session', { name, baseUrl: server.url, cookie: await cookieOf(members[index]) }))
    }

    console.log(`  soaking for ${MINUTES} min...`)
    const soak = new Soak(server, signaling, sse, { channelId: broadcastChannelId, memberKeys: members.map((userId) => `user:${userId}`), posters })
    const {
      usages: [serverUsage, signalingUsage, sseUsage],
    } = await meterDuring([server.pid, signaling.pid, sse.pid], () => soak.run())
    const collectedAtEnd = await soak.readCollected()
    const streams = await within(30, 'the streams health', sse.call<{ streams: number; ended: number; withoutPing: number; fewestPings: number }>('health', { target: 'confab' }))
    const lastRound = soak.rounds.at(-1)!
    const loadAtEnd = os.loadavg()

    writeReport(report, soak, collectedAtEnd, streams, { serverUsage, signalingUsage, sseUsage, loadAtStart, loadAtEnd })
    const socketsClosed = Object.values(lastRound.closes).reduce((sum, count) => sum + count, 0)
    const minuteOne = soak.samples[6]
    const end = soak.samples.at(-1)!
    report.check(
      target('RSS at the end / RSS after minute 1', end.rssMb / minuteOne.rssMb, '<=', 1.1, '×'),
      target('call sockets closed during the soak', socketsClosed, '<=', 0),
      target('SSE streams ended during the soak', streams.ended, '<=', 0)
    )
    report.note(`Whole benchmark took ${((Date.now() - started) / 60_000).toFixed(1)} min.`)
    return report.finish()
  } finally {
    await within(30, 'closing the streams', sse.call('closeAll')).catch(() => {})
    await signaling.stop()
    await sse.stop()
    await server.stop()
    await db.close()
  }
}

type Usage = ReturnType<ProcessMeter['stop']>

function writeReport(
  report: Report,
  soak: Soak,
  collectedAtEnd: Sample,
  streams: { streams: number; ended: number; withoutPing: number; fewestPings: number },
  machineLoad: { serverUsage: Usage; signalingUsage: Usage; sseUsage: Usage; loadAtStart: number[]; loadAtEnd: number[] }
) {
  const { samples, rounds, posts } = soak
  const minuteOne = samples[6]
  const end = samples.at(-1)!
  const afterOne = samples.filter((sample) => sample.seconds >= minuteOne.seconds)
  const collectedStart = soak.collectedAtStart!

  report.table(
    'Server memory every minute (RSS from /proc, V8 heap through the inspector), with the traffic of that minute',
    Array.from({ length: MINUTES + 1 }, (_, minute) => {
      const sample = samples[minute * 6]
      const inMinute = <T>(items: T[], at: (item: T) => number) => items.filter((item) => at(item) > (minute - 1) * 60 && at(item) <= minute * 60)
      const minutePosts = inMinute(posts, (post) => post.at)
      const minuteRounds = inMinute(rounds, (round) => round.endedAt)
      return {
        minute,
        'rss MB': sample?.rssMb,
        'anon MB': sample?.anonMb,
        'file MB': sample?.fileMb,
        'heap used MB': sample?.heapUsedMb,
        'heap total MB': sample?.heapTotalMb,
        'external MB': sample?.externalMb,
        'frames delivered': minute ? minuteRounds.reduce((sum, round) => sum + round.delivered, 0) : '',
        'frame p99 ms (worst round)': minuteRounds.length ? Math.max(...minuteRounds.map((round) => round.latency.p99)) : '',
        posts: minute ? minutePosts.length : '',
        'post -> last subscriber p99 ms': minutePosts.length ? summarize(minutePosts.map((post) => post.latencyMs)).p99 : '',
        'load 1 min': sample?.load1,
      }
    })
  )
  report.record('Every RSS sample (seconds since the soak started)', samples)
  // RSS and its parts: where any growth sits (V8's heap, memory outside it, or code pages).
  const parts: [string, (sample: Sample) => number][] = [
    ['RSS', (sample) => sample.rssMb],
    ['  anonymous (RssAnon)', (sample) => sample.anonMb],
    ['  file-backed, code (RssFile)', (sample) => sample.fileMb],
    ['V8 heap allocated (heapTotal)', (sample) => sample.heapTotalMb],
    ['V8 heap used', (sample) => sample.heapUsedMb],
    ['external (buffers)', (sample) => sample.externalMb],
    ['anonymous outside the V8 heap and external', (sample) => Number((sample.anonMb - sample.heapTotalMb - sample.externalMb).toFixed(1))],
  ]
  report.table(
    'Memory after minute 1 against the end, as sampled (MB; slope over the samples from minute 1 on)',
    parts.map(([reading, of]) => ({
      reading,
      'after minute 1': of(minuteOne),
      end: of(end),
      'end / minute 1': Number((of(end) / of(minuteOne)).toFixed(3)),
      'slope MB/min': Number(slope(afterOne.map((sample) => ({ x: sample.seconds / 60, y: of(sample) }))).toFixed(2)),
      min: Math.min(...afterOne.map(of)),
      max: Math.max(...afterOne.map(of)),
    }))
  )
  report.table(
    'After a full GC: what the server retains, at the start of the soak (minute 0) against the end (MB)',
    parts.map(([reading, of]) => ({ reading, start: of(collectedStart), end: of(collectedAtEnd), 'end / start': Number((of(collectedAtEnd) / of(collectedStart)).toFixed(3)) }))
  )

  const sum = (count: (round: FrameRound) => number) => rounds.reduce((total, round) => total + count(round), 0)
  const errors = new Map<string, number>()
  for (const round of rounds) for (const [code, count] of Object.entries(round.errors)) errors.set(code, (errors.get(code) ?? 0) + count)
  const lastRound = rounds.at(-1)!
  const postLatency = summarize(posts.map((post) => post.latencyMs))
  report.table('Traffic held over the soak', [
    {
      what: `call frames, ${FRAME_RATE}/s over every socket`,
      count: sum((round) => round.sent),
      delivered: sum((round) => round.delivered),
      lost: sum((round) => round.lost),
      'p50 ms': summarize(rounds.map((round) => round.latency.p50)).p50,
      'p99 ms': Math.max(...rounds.map((round) => round.latency.p99)),
      problems: [...[...errors].map(([code, count]) => `${code}:${count}`), ...Object.entries(lastRound.closes).map(([code, count]) => `close ${code}:${count}`)].join(' '),
      'open at the end': `${lastRound.sockets} sockets`,
    },
    {
      what: `message posts, one every ${POST_SECONDS} s, to ${CHANNEL_STREAMS} subscribed streams`,
      count: posts.length,
      delivered: posts.length * CHANNEL_STREAMS,
      'p50 ms': postLatency.p50,
      'p99 ms': postLatency.p99,
      problems: '',
      'open at the end': `${streams.streams - streams.ended} of ${streams.streams} streams`,
    },
    {
      what: 'Transmit pings (every 30 s)',
      count: '',
      delivered: `fewest per stream: ${streams.fewestPings}`,
      problems: streams.withoutPing ? `${streams.withoutPing} streams never pinged` : '',
    },
  ])
  report.table('Processes over the soak (CPU in cores, RSS in MB)', [
    { process: 'Confab', ...machineLoad.serverUsage },
    { process: 'call frames load generator', ...machineLoad.signalingUsage },
    { process: 'SSE load generator', ...machineLoad.sseUsage },
  ])
  if (process.env.MALLOC_ARENA_MAX) report.note(`The server ran with MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}.`)
  report.note(
    `Machine load average (1/5/15 min) at the start ${machineLoad.loadAtStart.map((value) => value.toFixed(2)).join('/')}, at the end ${machineLoad.loadAtEnd.map((value) => value.toFixed(2)).join('/')} ` +
      `(${os.cpus().length} cores, shared with other work).`
  )
  report.note(
    `Each call socket and SSE stream is a real session (one person per stream). Every ${SAMPLE_MS / 1000} s: RSS from /proc and the V8 heap through the inspector. ` +
      `The soak's clock starts once every socket and stream is open and a full GC (through the inspector) has run; "after minute 1" is the sample 60 s later. ` +
      `The samples of the soak are undisturbed; a second full GC follows the last one. Frames delivered count each recipient (a media frame reaches 3); ` +
      `their p50 is the median of the 10 s rounds' p50, their p99 the worst round's; the posts' are over every post, to the last subscriber.`
  )
}

export default { name: 'soak', title: 'Memory soak', run } satisfies Benchmark
