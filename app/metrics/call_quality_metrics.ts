import { counter, histogram } from '#metrics/registry'
import { CANDIDATE_TYPES, pathType } from '#helpers/quality_report'
import type { CallQualityReport } from '#validators/call_quality_report'

/*
| Call quality as the browsers report it (POST /calls/:id/quality_reports, docs/calls.md), in
| the registry GET /metrics serves. Each instance counts the reports it received.
*/

const connectSeconds = histogram({
  name: 'confab_call_connect_seconds',
  help: 'Accept or Join click to the first remote media, per participant and peer (first report only)',
  buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60],
})

const peerConnections = counter({
  name: 'confab_peer_connections_total',
  help: 'Peer connections reported by the browsers, once per participant and peer, by candidate pair type (relay: through TURN)',
  labelNames: ['candidate_type'],
})

const rttSeconds = histogram({
  name: 'confab_call_rtt_seconds',
  help: 'Round-trip time of the selected candidate pair, per browser report',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1, 2],
})

const packetLoss = histogram({
  name: 'confab_call_packet_loss_ratio',
  help: 'Share of received packets lost since the previous report, per browser report',
  buckets: [0, 0.005, 0.01, 0.02, 0.05, 0.08, 0.15, 0.3, 1],
})

const jitterSeconds = histogram({
  name: 'confab_call_jitter_seconds',
  help: "Worst receive jitter over the connection's inbound streams, per browser report",
  buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5],
})

// Every candidate type is exported from the start (at 0), so a dashboard's TURN share has both terms.
for (const type of CANDIDATE_TYPES) peerConnections.inc({ candidate_type: type }, 0)

/**
 * Feeds one stored report. `first`: this report created the participant+peer aggregate, so the
 * connection is counted and its connect time observed once, however many reports follow.
 */
export function observeQualityReport(report: CallQualityReport, first: boolean) {
  if (first) {
    peerConnections.inc({ candidate_type: pathType(report.localCandidateType, report.remoteCandidateType) })
    if (typeof report.connectMs === 'number') connectSeconds.observe(report.connectMs / 1000)
  }
  if (typeof report.rttMs === 'number') rttSeconds.observe(report.rttMs / 1000)
  if (typeof report.lossPercent === 'number') packetLoss.observe(report.lossPercent / 100)
  if (typeof report.jitterMs === 'number') jitterSeconds.observe(report.jitterMs / 1000)
}
