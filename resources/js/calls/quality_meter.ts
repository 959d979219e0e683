export type Quality = {
  level: 'good' | 'fair' | 'poor' | 'unknown'
  rttMs: number | null
  lossPercent: number | null
  inboundKbps: number | null
}

type StatsSource = { getStats(): Promise<RTCStatsReport> }

/**
 * Connection quality of one peer connection from `getStats()`: round-trip time of the
 * selected candidate pair, packet loss and received bitrate since the previous sample.
 */
export class QualityMeter {
  #previous: { at: number; bytes: number; packets: number; lost: number } | null = null

  constructor(private source: StatsSource) {}

  async sample(now = Date.now()): Promise<Quality> {
    const report = await this.source.getStats()
    let rtt: number | null = null
    let bytes = 0
    let packets = 0
    let lost = 0
    report.forEach((stat: any) => {
      if (stat.type === 'candidate-pair' && stat.nominated && stat.state === 'succeeded' && typeof stat.currentRoundTripTime === 'number') {
        rtt = stat.currentRoundTripTime * 1000
      }
      if (stat.type === 'inbound-rtp') {
        bytes += stat.bytesReceived ?? 0
        packets += stat.packetsReceived ?? 0
        lost += stat.packetsLost ?? 0
      }
    })
    const previous = this.#previous
    this.#previous = { at: now, bytes, packets, lost }
    if (!previous) return { level: 'unknown', rttMs: rtt, lossPercent: null, inboundKbps: null }

    const seconds = Math.max(0.001, (now - previous.at) / 1000)
    const newPackets = packets - previous.packets
    const newLost = Math.max(0, lost - previous.lost)
    const lossPercent = newPackets + newLost > 0 ? (newLost / (newPackets + newLost)) * 100 : 0
    const inboundKbps = ((bytes - previous.bytes) * 8) / 1000 / seconds
    return { level: rate(rtt, lossPercent), rttMs: rtt, lossPercent, inboundKbps }
  }
}

/** Thresholds in the spirit of the ITU-T G.114 delay guidance and usual WebRTC loss tolerance. */
export function rate(rttMs: number | null, lossPercent: number): Quality['level'] {
  if (lossPercent > 8 || (rttMs !== null && rttMs > 500)) return 'poor'
  if (lossPercent > 2 || (rttMs !== null && rttMs > 250)) return 'fair'
  return 'good'
}
