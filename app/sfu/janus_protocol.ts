/** What Janus sends over its WebSocket API (the parts Confab reads). */
export interface JanusMessage {
  janus: string
  transaction?: string
  session_id?: number
  sender?: number
  data?: any
  plugindata?: { plugin: string; data: any }
  jsep?: Jsep
  error?: { code: number; reason: string }
  candidate?: TrickleCandidate | { completed: true }
  [key: string]: unknown
}

/** A session description as WebRTC and Janus carry it. */
export interface Jsep {
  type: 'offer' | 'answer'
  sdp: string
}

/** An ICE candidate as RTCIceCandidate.toJSON() gives it. */
export interface TrickleCandidate {
  candidate: string
  sdpMid?: string | null
  sdpMLineIndex?: number | null
}

/**
 * A refusal by Janus (its core error codes, e.g. 403 for a wrong apisecret) or by a plugin
 * (VideoRoom codes, e.g. 426 no such room, 433 unauthorized), or code 0 when Janus could not be
 * asked at all (not connected, no answer in time).
 */
export class JanusError extends Error {
  constructor(
    readonly code: number,
    reason: string
  ) {
    super(reason)
    this.name = 'JanusError'
  }
}
