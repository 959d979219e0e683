import type { Page } from 'playwright-core'

export type SfuStats = {
  meshConnections: number
  publisher: RTCPeerConnectionState | null
  subscriber: RTCPeerConnectionState | null
  framesDecoded: number
  audioPackets: number
  /** Inbound video streams that have decoded frames (one per person seen). */
  videosDecoding: number
  /** The remote address of each connection's selected candidate pair. */
  remoteAddresses: string[]
}

/** What a page's SFU connections (window.confabCall.mesh.sfu) report through getStats(). */
export function sfuStats(page: Page): Promise<SfuStats> {
  return page.evaluate(async () => {
    const mesh = (window as any).confabCall?.mesh
    const sfu = mesh?.sfu
    const result = {
      meshConnections: mesh?.sessions.length ?? 0,
      publisher: sfu?.publisher?.connectionState ?? null,
      subscriber: sfu?.subscriber?.connectionState ?? null,
      framesDecoded: 0,
      audioPackets: 0,
      videosDecoding: 0,
      remoteAddresses: [] as string[],
    }
    for (const pc of [sfu?.publisher, sfu?.subscriber]) {
      if (!pc) continue
      const report: RTCStatsReport = await pc.getStats()
      report.forEach((stat: any) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
          result.framesDecoded += stat.framesDecoded ?? 0
          if ((stat.framesDecoded ?? 0) > 0) result.videosDecoding += 1
        }
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') result.audioPackets += stat.packetsReceived ?? 0
        if (stat.type === 'transport' && stat.selectedCandidatePairId) {
          const pair = report.get(stat.selectedCandidatePairId)
          const remote = pair && report.get(pair.remoteCandidateId)
          if (remote) result.remoteAddresses.push(remote.address ?? remote.ip)
        }
      })
    }
    return result
  })
}
