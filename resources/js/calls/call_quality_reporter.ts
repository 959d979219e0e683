import { lossBetween, readStats, type StatsReading, type StatsSource } from './quality_meter.js'
import { CANDIDATE_TYPES, MAX_CONNECT_MS, type CandidateType, type QualityReport } from '../../../app/helpers/quality_report.js'

export type { QualityReport }

export type CallQualityReporterOptions = {
  /** Posts one report; a report that fails is dropped (the next one comes anyway). */
  send: (report: QualityReport) => Promise<unknown>
  /** When this page's person clicked Accept or Join (ms since the epoch), null if unknown. */
  joinedAt: number | null
  /** How often each connection is summarised once it has been reported the first time. */
  everyMs?: number
  now?: () => number
}

type Watched = {
  source: StatsSource
  since: number
  /** When the last report went out (null: the first is still to come). */
  sentAt: number | null
  previous: Pick<StatsReading, 'packetsReceived' | 'packetsLost' | 'framesDecoded' | 'framesDropped'>
  busy: boolean
}

const NOTHING_YET = { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, framesDropped: 0 }

/**
 * Summarises each peer connection of the call room for the server: once when the connection is
 * up and the first remote media arrived (audio packets or a decoded video frame), then every
 * `everyMs` (30 s) while the call lasts. A connection that is up but brings no media is first
 * reported after `everyMs`, without a connect time. Reads the stats as QualityMeter does
 * (`readStats`); `poll()` is driven by a short timer (`start()`) so that the first media is seen
 * within ~100 ms, and only connections still waiting for it or due for a report are read.
 */
export class CallQualityReporter {
  #watched = new Map<number, Watched>()
  /** The peers who were in the call when this page joined: the connect time to them is ours to measure. */
  #measureConnectTo = new Set<number>()
  #joined = false
  #timer: ReturnType<typeof setInterval> | null = null
  #closed = false
  #everyMs: number
  #now: () => number

  constructor(private options: CallQualityReporterOptions) {
    this.#everyMs = options.everyMs ?? 30_000
    this.#now = options.now ?? Date.now
  }

  /**
   * This page's call socket was welcomed. Whoever was already connected is who this page, the
   * later joiner, offers to (Mesh) and measures the connect time to; they measure none to us.
   * Only the first welcome is the join: after a signaling reconnect the connections stay.
   */
  joined(welcome: { self: { userId: number }; participants: Array<{ userId: number; connection: string }> }) {
    if (this.#joined) return
    this.#joined = true
    for (const { userId, connection } of welcome.participants) {
      if (userId !== welcome.self.userId && connection === 'connected') this.#measureConnectTo.add(userId)
    }
  }

  /** Follows the mesh's connections: each one reported on, the ones gone forgotten. */
  track(connections: Array<{ userId: number; source: StatsSource }>) {
    const current = new Set(connections.map(({ userId }) => userId))
    for (const userId of this.#watched.keys()) if (!current.has(userId)) this.unwatch(userId)
    for (const { userId, source } of connections) this.watch(userId, source)
  }

  /** Reports on this connection to `userId` (a new one, after a reconnect, starts over). */
  watch(userId: number, source: StatsSource) {
    if (this.#closed || this.#watched.get(userId)?.source === source) return
    this.#watched.set(userId, { source, since: this.#now(), sentAt: null, previous: NOTHING_YET, busy: false })
  }

  unwatch(userId: number) {
    this.#watched.delete(userId)
  }

  start(pollMs = 100) {
    if (this.#timer || this.#closed) return
    this.#timer = setInterval(() => void this.poll(), pollMs)
  }

  /** Reads the connections that wait for their first media or are due, and sends their reports. */
  async poll(now = this.#now()) {
    const due = [...this.#watched].filter(([, watched]) => !watched.busy && (watched.sentAt === null || now - watched.sentAt >= this.#everyMs))
    await Promise.all(due.map(([userId, watched]) => this.#check(userId, watched, now)))
  }

  /** Stops reporting. Safe to call twice. */
  close() {
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#watched.clear()
  }

  async #check(userId: number, watched: Watched, now: number) {
    watched.busy = true
    try {
      const reading = readStats(await watched.source.getStats())
      const first = watched.sentAt === null
      const hasMedia = reading.audioPacketsReceived > 0 || reading.framesDecoded > 0
      if (first && !(reading.connected && (hasMedia || now - watched.since >= this.#everyMs))) return
      const report = this.#report(userId, watched, reading, first && hasMedia ? now : null)
      if (!report || this.#watched.get(userId) !== watched) return
      watched.sentAt = now
      watched.previous = reading
      await this.options.send(report).catch(() => {})
    } catch {
      // A closed connection has no stats: it is unwatched with its participant.
    } finally {
      watched.busy = false
    }
  }

  #report(userId: number, watched: Watched, reading: StatsReading, firstMediaAt: number | null): QualityReport | null {
    const local = candidateType(reading.localCandidateType)
    const remote = candidateType(reading.remoteCandidateType)
    if (!local || !remote) return null
    const report: QualityReport = {
      peerUserId: userId,
      localCandidateType: local,
      remoteCandidateType: remote,
      rttMs: round(reading.rttMs),
      lossPercent: round(lossBetween(watched.previous, reading)),
      jitterMs: round(reading.jitterMs),
      framesDecoded: Math.max(0, reading.framesDecoded - watched.previous.framesDecoded),
      framesDropped: Math.max(0, reading.framesDropped - watched.previous.framesDropped),
      frameWidth: reading.frameWidth,
      frameHeight: reading.frameHeight,
    }
    const { joinedAt } = this.options
    if (firstMediaAt !== null && joinedAt !== null && this.#measureConnectTo.delete(userId)) {
      const connectMs = Math.round(firstMediaAt - joinedAt)
      if (connectMs >= 0 && connectMs <= MAX_CONNECT_MS) report.connectMs = connectMs
    }
    return report
  }
}

function candidateType(type: string | null): CandidateType | null {
  return CANDIDATE_TYPES.find((known) => known === type) ?? null
}

function round(value: number | null) {
  return value === null ? null : Math.round(value * 100) / 100
}
