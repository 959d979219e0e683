import type { Page } from 'playwright-core'

/** What a call page's connections have sent and received so far (getStats counters), whatever the topology. */
export type MediaCounters = {
  at: number
  meshConnections: number
  sfuConnections: number
  bytesSent: number
  bytesReceived: number
  /** Frames decoded so far per inbound video stream (keyed by the stats id, unique per page). */
  framesDecoded: Record<string, number>
}

/**
 * Reads every peer connection of the page's call (window.confabCall: the mesh's sessions and
 * the SFU's publisher and subscriber), so it measures whatever the app does: mesh, SFU,
 * simulcast or not. Bytes are the transports' (RTP, RTCP, DTLS, STUN), as the network sees them.
 */
export function mediaCounters(page: Page): Promise<MediaCounters> {
  return page.evaluate(async () => {
    const mesh = (window as any).confabCall?.mesh
    const meshPcs: RTCPeerConnection[] = (mesh?.sessions ?? []).map((session: any) => session.pc)
    const sfuPcs: RTCPeerConnection[] = [mesh?.sfu?.publisher, mesh?.sfu?.subscriber].filter(Boolean)
    const counters = { at: performance.now(), meshConnections: meshPcs.length, sfuConnections: sfuPcs.length, bytesSent: 0, bytesReceived: 0, framesDecoded: {} as Record<string, number> }
    for (const [index, pc] of [...meshPcs, ...sfuPcs].entries()) {
      if (pc.connectionState === 'closed') continue
      const report: RTCStatsReport = await pc.getStats()
      report.forEach((stat: any) => {
        if (stat.type === 'transport') {
          counters.bytesSent += stat.bytesSent ?? 0
          counters.bytesReceived += stat.bytesReceived ?? 0
        }
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') counters.framesDecoded[`${index}:${stat.id}`] = stat.framesDecoded ?? 0
      })
    }
    return counters
  })
}

/** Upload and download in kbit/s and the decoded frame rate of each inbound video, between two readings. */
export function mediaRates(before: MediaCounters, after: MediaCounters) {
  const seconds = (after.at - before.at) / 1000
  const fps = Object.entries(after.framesDecoded).map(([id, frames]) => (frames - (before.framesDecoded[id] ?? 0)) / seconds)
  return {
    upKbps: ((after.bytesSent - before.bytesSent) * 8) / 1000 / seconds,
    downKbps: ((after.bytesReceived - before.bytesReceived) * 8) / 1000 / seconds,
    /** Inbound videos that decoded at least 1 frame/s over the window. */
    videosPlaying: fps.filter((rate) => rate >= 1).length,
    fps,
  }
}
