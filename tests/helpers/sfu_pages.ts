import type { Page } from 'playwright-core'

/** What a page's SFU connections and mesh report (window.confabCall.mesh), for the SFU browser tests. */
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

/**
 * An init script: the camera captured at 320x180, 15 fps, whatever the page asks for. Five or
 * more Chromium pages encoding and decoding 720p on two shared cores starve each other, which
 * would measure the machine, not the switch.
 */
export function lowResolutionCamera() {
  const devices = navigator.mediaDevices
  if (!devices?.getUserMedia) return
  const original = devices.getUserMedia.bind(devices)
  devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
    if (constraints?.video) {
      const asked = typeof constraints.video === 'object' ? constraints.video : {}
      constraints = { ...constraints, video: { ...asked, width: { ideal: 320, max: 320 }, height: { ideal: 180, max: 180 }, frameRate: { ideal: 15, max: 15 } } }
    }
    return original(constraints)
  }
}

/**
 * Starts sampling, every 100 ms in the page, the frames decoded of the video each remote tile
 * shows (whichever connection, mesh or SFU, carries it): `tileGaps(page)` then tells the longest
 * time any tile went without a new frame.
 */
export function watchTiles(page: Page) {
  return page.evaluate(() => {
    const watch = { longestGapMs: 0, last: new Map<number, { trackId: string; frames: number; at: number }>() }
    ;(window as any).tileWatch = watch
    const sample = async () => {
      const mesh = (window as any).confabCall?.mesh
      if (!mesh) return
      const frames = new Map<string, number>()
      const pcs = [...mesh.sessions.map((session: any) => session.pc), mesh.sfu?.subscriber].filter(Boolean)
      for (const pc of pcs) {
        const report: RTCStatsReport = await pc.getStats()
        report.forEach((stat: any) => {
          if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames.set(stat.trackIdentifier, stat.framesDecoded ?? 0)
        })
      }
      const now = performance.now()
      for (const participant of mesh.participants) {
        if (participant.peerState === 'self') continue
        const track = participant.stream?.getVideoTracks()[0]
        const count = track ? frames.get(track.id) : undefined
        const previous = watch.last.get(participant.userId)
        const advanced = count !== undefined && count > 0 && (!previous || previous.trackId !== track.id || count > previous.frames)
        if (advanced || !previous) {
          if (previous && advanced) watch.longestGapMs = Math.max(watch.longestGapMs, now - previous.at)
          watch.last.set(participant.userId, { trackId: track?.id ?? '', frames: count ?? 0, at: advanced ? now : (previous?.at ?? now) })
        }
      }
    }
    setInterval(() => void sample(), 100)
  })
}

/** The longest time (ms) a remote tile of this page showed no new frame since watchTiles(page). */
export function tileGaps(page: Page) {
  return page.evaluate(() => {
    const watch = (window as any).tileWatch
    const now = performance.now()
    let current = 0
    for (const last of watch.last.values()) current = Math.max(current, now - last.at)
    return { longestGapMs: Math.round(Math.max(watch.longestGapMs, current)), sinceLastMs: Math.round(current) }
  })
}
