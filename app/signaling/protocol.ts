/*
| The call WebSocket protocol (`GET /calls/:id/signal`): every frame either side may send, as one
| typed map shared by the server (app/signaling) and the browser (resources/js/calls). Plain
| types and constants only, so the browser bundle can import it. Described for humans, with an
| example exchange, in docs/signaling.md.
*/

/** Largest frame either side may send; a bigger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024

/** Close codes that tell the page why its call socket ended. */
export const CloseCode = {
  /** A normal goodbye (the person left). */
  Normal: 1000,
  /** The server is shutting down or restarting: reconnect. */
  GoingAway: 1001,
  /** Frame larger than MAX_FRAME_BYTES. */
  TooBig: 1009,
  /** A newer connection of the same person to the same call took over this one. */
  Replaced: 4000,
  /** Too many frames too fast, or too many (or too large) before the welcome (see docs/signaling.md). */
  Flood: 4008,
  /** Not a joined participant of this call. */
  NotParticipant: 4403,
  /** No such call (or not visible to this person). */
  NoSuchCall: 4404,
  /** The call is full (CALL_MAX_PARTICIPANTS). */
  CallFull: 4409,
  /** The call has ended. */
  CallEnded: 4410,
  /** The person left the call's channel (or was removed from it), and so its call. */
  LeftChannel: 4411,
  /** The personal access token this socket was opened with was revoked (token clients only; docs/api.md). */
  TokenRevoked: 4401,
  /**
   * The session this socket was opened with ended: signed out, or revoked by "Sign out of all
   * other sessions". The same code as a revoked token: the sign-in is gone, sign in again.
   */
  SessionRevoked: 4401,
  /** The personal access token this socket was opened with expired (token clients only): a new token is needed. */
  TokenExpired: 4419,
  /**
   * The page fell behind: more than CALL_SOCKET_MAX_BUFFERED bytes waited for it in the server.
   * Reconnect (the welcome brings the current state); not a final code.
   */
  TooSlow: 4503,
  /** The server could not handle the connection (a failed check): reconnect later. */
  ServerError: 1011,
  /** The call changed while the connection was being admitted, again and again: reconnect. */
  TryAgainLater: 1013,
} as const

export type MediaState = { audio: boolean; video: boolean; screen: boolean }

export type ParticipantInfo = MediaState & {
  userId: number
  name: string
  /** `connected`: socket open; `reconnecting`: socket lost, still in the reconnect grace; `away`: joined over HTTP, no socket yet. */
  connection: 'connected' | 'reconnecting' | 'away'
  /**
   * Random id of the page that holds the connection (sent as `?peer=` on connect). A member who
   * reconnects with the same peerId still has their RTCPeerConnections (repair with an ICE
   * restart); a new peerId means a new page (start a fresh connection).
   */
  peerId: string | null
  /** When their hand went up (ISO, server time), or null: raised hands are listed first, oldest first. Always sent by the server. */
  handRaisedAt?: string | null
}

/** The reactions a page may send (anything else is an `invalid_frame`): a fixed set keeps them short and safe to show. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const
export type Reaction = (typeof REACTIONS)[number]

export type IceServer = { urls: string[]; username?: string; credential?: string }

/** Opaque to the server: an SDP description or an ICE candidate, relayed as-is. */
export type SignalData =
  | { description: { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string } }
  | { candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null }

/** A session description for the SFU (Janus): the browser's offer or answer, or Janus's. */
export type SfuJsep = { type: 'offer' | 'answer'; sdp: string }
/** An ICE candidate for one of the page's two SFU connections; null: the page gathered them all. */
export type SfuCandidate = { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null
/** Which of the page's two SFU connections: what it sends (publisher) or what it receives (subscriber). */
export type SfuTarget = 'publisher' | 'subscriber'
/** One m-line of the page's subscriber connection: whose audio or video it carries. */
export type SfuStream = { mid: string; userId: number; kind: 'audio' | 'video' }
/**
 * Which of a person's simulcast layers a page wants from the SFU: `high` (as captured),
 * `medium` (half the size), `low` (a quarter), or `none` (no video of theirs at all: camera off,
 * or not on screen). Janus's substreams 2, 1, 0.
 */
export const SFU_LAYERS = ['none', 'low', 'medium', 'high'] as const
export type SfuLayer = (typeof SFU_LAYERS)[number]
/** The most people one `sfu.layers` frame may name (above any CALL_MAX_PARTICIPANTS, at most 100). */
export const MAX_SFU_LAYERS = 128

/**
 * A call's running recording as every page shows it (docs/recording.md): who was asked and
 * what they answered (null: not yet); `recorded` are those who said yes.
 */
export type RecordingStatus = {
  id: number
  startedBy: number | null
  startedAt: string
  consents: { userId: number; name: string; consented: boolean | null }[]
  recorded: { userId: number; name: string }[]
}

/** Frames the browser sends. */
export type ClientFrames = {
  signal: { type: 'signal'; to: number; data: SignalData }
  media: { type: 'media' } & MediaState
  leave: { type: 'leave' }
  end: { type: 'end' }
  /** Raise or lower my hand; with `userId`, lower someone else's (the initiator only). */
  hand: { type: 'hand'; raised: boolean; userId?: number }
  reaction: { type: 'reaction'; emoji: Reaction }
  /** SFU calls only (docs/sfu.md): my offer to publish my microphone and camera to Janus. */
  'sfu.publish': { type: 'sfu.publish'; jsep: SfuJsep & { type: 'offer' } }
  /** Ready to receive: subscribe me to everyone else's feeds (one connection for all). */
  'sfu.subscribe': { type: 'sfu.subscribe' }
  /** My answer to the server's `sfu.offer`. */
  'sfu.start': { type: 'sfu.start'; jsep: SfuJsep & { type: 'answer' } }
  'sfu.trickle': { type: 'sfu.trickle'; target: SfuTarget; candidate: SfuCandidate }
  /** The video layer I want of each person I receive (people not named keep what they had; at first, `low`). */
  'sfu.layers': { type: 'sfu.layers'; layers: Array<{ userId: number; layer: SfuLayer }> }
  /** My page is back on the mesh (after a `topology: mesh`) and closed its SFU connections: detach my Janus handles. */
  'sfu.leave': { type: 'sfu.leave' }
}
export type ClientFrame = ClientFrames[keyof ClientFrames]

/** Frames the server sends. */
export type ServerFrames = {
  'welcome': {
    type: 'welcome'
    self: { userId: number; name: string }
    call: { id: number; kind: 'audio' | 'video'; status: string; initiatorId: number | null; answeredAt: string | null; maxParticipants: number }
    participants: ParticipantInfo[]
    iceServers: IceServer[]
    iceTransportPolicy: 'all' | 'relay'
    /** `mesh`: connect to every other page (`signal`); `sfu`: publish and subscribe through the server (`sfu.*`). */
    topology: 'mesh' | 'sfu'
  }
  'participant.joined': { type: 'participant.joined'; participant: ParticipantInfo; reconnected: boolean }
  'participant.left': { type: 'participant.left'; userId: number; reason: 'left' | 'timeout' }
  /** `fromPeer`: the sender's page (see ParticipantInfo.peerId), so a signal from a reloaded page never lands in the old page's connection. */
  'signal': { type: 'signal'; from: number; fromPeer: string | null; data: SignalData }
  'media': { type: 'media'; userId: number } & MediaState
  /** A hand went up or down; `by` is who did it (the owner, or the initiator lowering it). */
  'hand': { type: 'hand'; userId: number; raised: boolean; raisedAt: string | null; by: number }
  /** Relayed to everyone (the sender too), never stored: pages show it for a few seconds. */
  'reaction': { type: 'reaction'; userId: number; emoji: Reaction }
  'ice.servers': { type: 'ice.servers'; iceServers: IceServer[] }
  'call.ended': { type: 'call.ended'; endedBy: number | null; reason: string | null }
  'error': { type: 'error'; code: SignalingErrorCode; message: string }
  /** Janus's answer to `sfu.publish`. */
  'sfu.answer': { type: 'sfu.answer'; jsep: SfuJsep & { type: 'answer' } }
  /** Janus's offer for the subscriber connection, first or renegotiated; `streams` maps its m-lines to people. */
  'sfu.offer': { type: 'sfu.offer'; jsep: SfuJsep & { type: 'offer' }; streams: SfuStream[] }
  'sfu.trickle': { type: 'sfu.trickle'; target: SfuTarget; candidate: SfuCandidate }
  /**
   * `sfu`: the call moves to the SFU (it reached CALL_SFU_FROM): publish and subscribe, then close
   * the mesh once the SFU feeds play. `mesh`: it moves back (it shrank to CALL_BACK_TO_MESH_AT, or
   * its Janus was lost): connect to the others, then close the SFU connections once the mesh plays.
   */
  'topology': { type: 'topology'; topology: 'sfu' | 'mesh' }
  /** The call's recording now (null: none runs); sent when it starts, someone answers, or it stops. */
  'recording': { type: 'recording'; recording: RecordingStatus | null }
  /** Who publishes in the call's room now, besides you (the server updates your subscription to match). */
  'sfu.feeds': { type: 'sfu.feeds'; userIds: number[] }
  /**
   * Your page reconnected to an instance that holds no Janus handles for it (the one that held
   * them died or let go of them): publish and subscribe again, on new connections.
   */
  'sfu.restart': { type: 'sfu.restart' }
}
export type ServerFrame = ServerFrames[keyof ServerFrames]

export type SignalingErrorCode =
  | 'bad_json'
  | 'unknown_type'
  | 'invalid_frame'
  | 'unknown_peer'
  | 'peer_not_connected'
  | 'not_initiator'
  | 'not_allowed'
  | 'rate_limited'
  | 'call_ended'
  | 'replaced'
  | 'internal'
  /** An `sfu.*` frame in a mesh call, or out of order (a `sfu.start` with no offer pending). */
  | 'not_sfu'
  /** The SFU (Janus) could not be reached or refused: the message says what failed. */
  | 'sfu_unavailable'
  /** The call's Janus was lost and the call is too large for the mesh: the others' media stopped (docs/sfu.md). */
  | 'sfu_lost'
