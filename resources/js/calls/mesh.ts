import { Emitter } from './emitter.js'
import { PeerSession, type PeerConnectionFactory } from './peer_session.js'
import type { SignalingClient } from './signaling_client.js'
import type { LocalMedia } from './local_media.js'
import type { MediaState, ParticipantInfo, ServerFrames } from '../../../app/signaling/protocol.js'

export type Participant = ParticipantInfo & {
  stream: MediaStream | null
  peerState: RTCPeerConnectionState | 'self'
}

type Events = {
  /** The participant list changed (someone came, left, or their state changed). */
  change: Participant[]
  ended: ServerFrames['call.ended']
}

/**
 * Bitrate and resolution per outgoing video stream as the mesh grows: everyone uploads one
 * stream per other person, so each gets a smaller share.
 */
export function videoBudget(remotePeers: number) {
  if (remotePeers <= 1) return { maxBitrate: 1_500_000, scaleResolutionDownBy: 1 }
  if (remotePeers <= 3) return { maxBitrate: 800_000, scaleResolutionDownBy: 1.5 }
  if (remotePeers <= 5) return { maxBitrate: 450_000, scaleResolutionDownBy: 2 }
  return { maxBitrate: 250_000, scaleResolutionDownBy: 3 }
}

export type MeshOptions = {
  signaling: SignalingClient
  media: LocalMedia
  createPeerConnection: PeerConnectionFactory
  log?: (namespace: 'call:sdp' | 'call:ice' | 'call:state', ...args: unknown[]) => void
}

/**
 * The full mesh: one PeerSession per other participant, added and removed as people join and
 * leave, fed by the signaling client. After a signaling reconnect it keeps the connections of
 * people still there and repairs them with an ICE restart; someone who comes back from a new
 * page (a different peerId) gets a fresh connection.
 */
export class Mesh extends Emitter<Events> {
  #sessions = new Map<number, PeerSession>()
  #participants = new Map<number, Participant>()
  #selfId: number | null = null
  #config: RTCConfiguration = {}
  #unsubscribe: Array<() => void> = []
  #closed = false

  constructor(private options: MeshOptions) {
    super()
    const { signaling, media } = options
    this.#unsubscribe.push(
      signaling.on('welcome', (frame) => this.#welcome(frame)),
      signaling.on('participant.joined', (frame) => this.#joined(frame)),
      signaling.on('participant.left', (frame) => this.#left(frame.userId)),
      signaling.on('signal', (frame) => void this.#sessionFor(frame.from)?.receive(frame.data)),
      signaling.on('media', (frame) => this.#media(frame.userId, frame)),
      signaling.on('ice.servers', (frame) => this.#updateIceServers(frame.iceServers)),
      signaling.on('call.ended', (frame) => {
        this.close()
        this.emit('ended', frame)
      }),
      media.on('track', ({ kind, track }) => {
        for (const session of this.#sessions.values()) void session.replaceTrack(kind, track)
      }),
      media.on('state', (state) => {
        signaling.send({ type: 'media', ...state })
        this.#media(this.#selfId, state)
      })
    )
  }

  get selfId() {
    return this.#selfId
  }

  get participants() {
    return [...this.#participants.values()]
  }

  session(userId: number) {
    return this.#sessions.get(userId)
  }

  get sessions() {
    return [...this.#sessions.values()]
  }

  close() {
    if (this.#closed) return
    this.#closed = true
    for (const session of this.#sessions.values()) session.close()
    this.#sessions.clear()
    this.#unsubscribe.forEach((unsubscribe) => unsubscribe())
  }

  #welcome(frame: ServerFrames['welcome']) {
    this.#selfId = frame.self.userId
    this.#config = {
      iceServers: frame.iceServers,
      // `relay` when the server says so (ICE_TRANSPORT_POLICY): every path goes through TURN.
      iceTransportPolicy: frame.iceTransportPolicy,
    }
    const present = new Set(frame.participants.map((participant) => participant.userId))
    for (const userId of [...this.#participants.keys()]) {
      if (!present.has(userId)) this.#left(userId)
    }
    for (const info of frame.participants) {
      if (info.userId === this.#selfId) {
        this.#participants.set(info.userId, { ...info, ...this.options.media.state, stream: this.options.media.stream, peerState: 'self' })
        continue
      }
      const existing = this.#sessions.get(info.userId)
      this.#participants.set(info.userId, { ...info, stream: this.#participants.get(info.userId)?.stream ?? null, peerState: existing?.pc.connectionState ?? 'new' })
      // Our own connections survived the signaling drop: repair them rather than start over.
      if (existing) existing.restartIce()
      else if (info.connection !== 'away') this.#connect(info.userId)
    }
    // Tell the others what we send (they may have missed changes while we were away).
    this.options.signaling.send({ type: 'media', ...this.options.media.state })
    this.#changed()
  }

  #joined({ participant, reconnected }: ServerFrames['participant.joined']) {
    if (participant.userId === this.#selfId) return
    const known = this.#participants.get(participant.userId)
    const existing = this.#sessions.get(participant.userId)
    this.#participants.set(participant.userId, { ...participant, stream: known?.stream ?? null, peerState: existing?.pc.connectionState ?? 'new' })
    if (existing && reconnected && known?.peerId && known.peerId === participant.peerId) {
      existing.restartIce()
    } else {
      // A new page on their side: its old connection is gone with it.
      existing?.close()
      this.#sessions.delete(participant.userId)
      this.#connect(participant.userId)
    }
    this.#changed()
  }

  #left(userId: number) {
    this.#sessions.get(userId)?.close()
    this.#sessions.delete(userId)
    this.#participants.delete(userId)
    this.#rebalance()
    this.#changed()
  }

  #media(userId: number | null, state: MediaState) {
    if (userId === null) return
    const participant = this.#participants.get(userId)
    if (!participant) return
    Object.assign(participant, { audio: state.audio, video: state.video, screen: state.screen })
    this.#changed()
  }

  /** A signal can come before `participant.joined` is processed: open the session on demand. */
  #sessionFor(userId: number) {
    return this.#sessions.get(userId) ?? (this.#selfId !== null ? this.#connect(userId) : undefined)
  }

  #connect(userId: number) {
    const session = new PeerSession({
      localUserId: this.#selfId!,
      remoteUserId: userId,
      config: this.#config,
      createPeerConnection: this.options.createPeerConnection,
      localTracks: this.options.media.tracks,
      send: (data) => this.options.signaling.send({ type: 'signal', to: userId, data }),
      log: this.options.log,
    })
    this.#sessions.set(userId, session)
    session.on('stream', (stream) => {
      const participant = this.#participants.get(userId)
      if (participant) participant.stream = stream
      this.#changed()
    })
    session.on('state', (state) => {
      const participant = this.#participants.get(userId)
      if (participant) participant.peerState = state
      // Encodings exist once negotiated: that is when the video budget can be applied.
      if (state === 'connected') this.#rebalance()
      this.#changed()
    })
    this.#rebalance()
    return session
  }

  #rebalance() {
    const budget = videoBudget(this.#sessions.size)
    for (const session of this.#sessions.values()) {
      void session.limitVideo(budget.maxBitrate, budget.scaleResolutionDownBy)
    }
  }

  #updateIceServers(iceServers: RTCIceServer[]) {
    this.#config = { ...this.#config, iceServers }
    for (const session of this.#sessions.values()) session.setConfiguration(this.#config)
  }

  #changed() {
    if (!this.#closed) this.emit('change', this.participants)
  }
}
