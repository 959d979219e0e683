export type Quality = {
  level: 'good' | 'fair' | 'poor' | 'unknown'
  rttMs: number | null
  lossPercent: number | null
  inboundKbps: number | null
}

export type StatsSource = { getStats(): Promise<RTCStatsReport> }

/**
 * What one `getStats()` report says about a connection: the selected candidate pair (its
 * round trip and both ends' candidate types) and the totals of everything received.
 */
export type StatsReading = {
  /** The selected pair has succeeded: the connection carries media. */
  connected: boolean
  rttMs: number | null
  localCandidateType: string | null
  remoteCandidateType: string | null
  bytesReceived: number
  packetsReceived: number
  packetsLost: number
  audioPacketsReceived: number
  /** The worst jitter over the inbound streams. */
  jitterMs: number | null
  framesDecoded: number
  framesDropped: number
  frameWidth: number | null
  frameHeight: number | null
}

/**
 * Reads a stats report. The selected pair is the transport's `selectedCandidatePairId`, or,
 * where a browser does not name it, the nominated pair that succeeded.
 */
export function readStats(report: RTCStatsReport): StatsReading {
  const stats: any[] = []
  report.forEach((stat: any) => stats.push(stat))
  const byId = new Map(stats.map((stat) => [stat.id, stat]))
  const selectedId = stats.find((stat) => stat.type === 'transport' && stat.selectedCandidatePairId)?.selectedCandidatePairId
  const pair =
    (selectedId && byId.get(selectedId)) ??
    stats.find((stat) => stat.type === 'candidate-pair' && stat.nominated && stat.state === 'succeeded')
  const reading: StatsReading = {
    connected: pair?.state === 'succeeded',
    rttMs: typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null,
    localCandidateType: byId.get(pair?.localCandidateId)?.candidateType ?? null,
    remoteCandidateType: byId.get(pair?.remoteCandidateId)?.candidateType ?? null,
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
    audioPacketsReceived: 0,
    jitterMs: null,
    framesDecoded: 0,
    framesDropped: 0,
    frameWidth: null,
    frameHeight: null,
  }
  for (const stat of stats) {
    if (stat.type !== 'inbound-rtp') continue
    reading.bytesReceived += stat.bytesReceived ?? 0
    reading.packetsReceived += stat.packetsReceived ?? 0
    reading.packetsLost += stat.packetsLost ?? 0
    if (typeof stat.jitter === 'number') reading.jitterMs = Math.max(reading.jitterMs ?? 0, stat.jitter * 1000)
    if (stat.kind === 'audio') reading.audioPacketsReceived += stat.packetsReceived ?? 0
    if (stat.kind !== 'video') continue
    reading.framesDecoded += stat.framesDecoded ?? 0
    reading.framesDropped += stat.framesDropped ?? 0
    if (stat.frameWidth && stat.frameHeight) {
      reading.frameWidth = stat.frameWidth
      reading.frameHeight = stat.frameHeight
    }
  }
  return reading
}

/**
 * Percentage of packets lost between two readings (lost / (received + lost) in between), or
 * null when nothing arrived in between.
 */
export function lossBetween(previous: Pick<StatsReading, 'packetsReceived' | 'packetsLost'>, current: StatsReading) {
  const received = current.packetsReceived - previous.packetsReceived
  const lost = Math.max(0, current.packetsLost - previous.packetsLost)
  return received + lost > 0 ? (lost / (received + lost)) * 100 : null
}

/**
 * Connection quality of one peer connection from `getStats()`: round-trip time of the
 * selected candidate pair, packet loss and received bitrate since the previous sample.
 */
export class QualityMeter {
  #previous: { at: number; reading: StatsReading } | null = null

  constructor(private source: StatsSource) {}

  async sample(now = Date.now()): Promise<Quality> {
    const reading = readStats(await this.source.getStats())
    const previous = this.#previous
    this.#previous = { at: now, reading }
    if (!previous) return { level: 'unknown', rttMs: reading.rttMs, lossPercent: null, inboundKbps: null }

    const seconds = Math.max(0.001, (now - previous.at) / 1000)
    const lossPercent = lossBetween(previous.reading, reading) ?? 0
    const inboundKbps = ((reading.bytesReceived - previous.reading.bytesReceived) * 8) / 1000 / seconds
    return { level: rate(reading.rttMs, lossPercent), rttMs: reading.rttMs, lossPercent, inboundKbps }
  }
}

/** Thresholds in the spirit of the ITU-T G.114 delay guidance and usual WebRTC loss tolerance. */
export function rate(rttMs: number | null, lossPercent: number): Quality['level'] {
  if (lossPercent > 8 || (rttMs !== null && rttMs > 500)) return 'poor'
  if (lossPercent > 2 || (rttMs !== null && rttMs > 250)) return 'fair'
  return 'good'
}
