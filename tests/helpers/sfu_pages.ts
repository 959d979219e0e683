import type { Page } from 'playwright-core'

/*
| What the SFU browser tests read of a call page (window.confabCall, set by
| resources/js/calls/call_parts.ts): its SFU connections' getStats(), per person and per layer.
*/

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


/** One person's video as a page decodes it from the SFU. */
export type ReceivedVideo = { userId: number; frameWidth: number; frameHeight: number; framesDecoded: number }

/** Each remote person's inbound video on the page's subscriber connection, found by their tile's track. */
export function receivedVideos(page: Page): Promise<ReceivedVideo[]> {
  return page.evaluate(async () => {
    const mesh = (window as any).confabCall?.mesh
    const subscriber: RTCPeerConnection | undefined = mesh?.sfu?.subscriber
    if (!subscriber) return []
    const byTrack = new Map<string, number>()
    for (const participant of mesh.participants) {
      const track = participant.peerState === 'self' ? null : participant.stream?.getVideoTracks()[0]
      if (track) byTrack.set(track.id, participant.userId)
    }
    const videos: ReceivedVideo[] = []
    ;(await subscriber.getStats()).forEach((stat: any) => {
      const userId = stat.type === 'inbound-rtp' && stat.kind === 'video' ? byTrack.get(stat.trackIdentifier) : undefined
      if (userId === undefined) return
      videos.push({ userId, frameWidth: stat.frameWidth ?? 0, frameHeight: stat.frameHeight ?? 0, framesDecoded: stat.framesDecoded ?? 0 })
    })
    return videos
  })
}

/** One simulcast layer the page's publisher sends (outbound-rtp per rid). */
export type SentLayer = { rid: string; frameWidth: number; frameHeight: number; framesEncoded: number; active: boolean }

export function sentLayers(page: Page): Promise<SentLayer[]> {
  return page.evaluate(async () => {
    const publisher: RTCPeerConnection | undefined = (window as any).confabCall?.mesh?.sfu?.publisher
    if (!publisher) return []
    const layers: SentLayer[] = []
    ;(await publisher.getStats()).forEach((stat: any) => {
      if (stat.type !== 'outbound-rtp' || stat.kind !== 'video') return
      layers.push({ rid: stat.rid ?? '', frameWidth: stat.frameWidth ?? 0, frameHeight: stat.frameHeight ?? 0, framesEncoded: stat.framesEncoded ?? 0, active: stat.active !== false })
    })
    return layers.sort((a, b) => a.rid.localeCompare(b.rid))
  })
}

/**
 * An init script: the page's camera captures at most `width`×`height` and `fps` (many pages on
 * two cores), whatever LocalMedia asks for. The page still negotiates and simulcasts as usual.
 */
export function smallCamera({ width, height, fps }: { width: number; height: number; fps: number }) {
  const devices = navigator.mediaDevices
  if (!devices) return
  const getUserMedia = devices.getUserMedia.bind(devices)
  devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
    if (!constraints?.video) return getUserMedia(constraints)
    const video = { ...(typeof constraints.video === 'object' ? constraints.video : {}), width: { max: width, ideal: width }, height: { max: height, ideal: height }, frameRate: { max: fps, ideal: fps } }
    return getUserMedia({ ...constraints, video })
  }
}
