import { Emitter } from './emitter.js'
import { PeerSession, type PeerConnectionFactory } from './peer_session.js'
import type { SignalingClient } from './signaling_client.js'
import type { LocalMedia } from './local_media.js'
import type { SfuSession } from './sfu_session.js'
import { SfuLink } from './sfu_link.js'
import type { ClientFrame, MediaState, ParticipantInfo, ServerFrames } from '../../../app/signaling/protocol.js'

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
  /** Makes the page's SFU media (a fresh one each time the call moves to the SFU), used instead of peer connections when the server says so. */
  sfu?: () => SfuSession
  log?: (namespace: 'call:sdp' | 'call:ice' | 'call:state', ...args: unknown[]) => void
}

/**
 * The full mesh: one PeerSession per other participant, added and removed as people join and
 * leave, fed by the signaling client. Whoever arrives offers to everyone already there; the
 * others answer. After a signaling reconnect the returning page keeps its connections and
 * repairs them with an ICE restart; someone who comes back on a new page (a different peerId)
 * gets a fresh connection.
 */
export class Mesh extends Emitter<Events> {
  #sessions = new Map<number, PeerSession>()
  /** Which page of each remote person a session talks to (their peerId). */
  #sessionPeers = new Map<number, string | null>()
  #participants = new Map<number, Participant>()
  #selfId: number | null = null
  #config: RTCConfiguration = {}
  #unsubscribe: Array<() => void> = []
  #closed = false
  /** The way to the SFU (docs/sfu.md), when the page has one: used when the server says so. */
  #sfu: SfuLink | null = null

  constructor(private options: MeshOptions) {
    super()
    const { signaling, media } = options
    if (options.sfu) this.#sfu = new SfuLink(options.sfu, signaling, this.#sfuHost())
    this.#unsubscribe.push(
      signaling.on('welcome', (frame) => this.#welcome(frame)),
      signaling.on('participant.joined', (frame) => this.#joined(frame)),
      signaling.on('participant.left', (frame) => this.#left(frame.userId)),
      signaling.on('signal', (frame) => void this.#sessionFor(frame.from, frame.fromPeer)?.receive(frame.data)),
      signaling.on('media', (frame) => this.#media(frame.userId, frame)),
      signaling.on('ice.servers', (frame) => this.#updateIceServers(frame.iceServers)),
      signaling.on('call.ended', (frame) => {
        this.close()
        this.emit('ended', frame)
      }),
      media.on('track', ({ kind, track }) => {
        for (const session of this.#sessions.values()) void session.replaceTrack(kind, track)
        void this.#sfu?.session?.replaceTrack(kind, track as MediaStreamTrack | null)
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

  /** The SfuSession once this call uses the SFU (for the tests' getStats checks). */
  get sfu() {
    return this.#sfu?.session
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
    this.#sfu?.close()
    this.#unsubscribe.forEach((unsubscribe) => unsubscribe())
  }

  #welcome(frame: ServerFrames['welcome']) {
    this.#selfId = frame.self.userId
    this.#config = {
      iceServers: frame.iceServers,
      // `relay` when the server says so (ICE_TRANSPORT_POLICY): every path goes through TURN.
      iceTransportPolicy: frame.iceTransportPolicy,
    }
    // SFU: my media goes to Janus once per page (a reconnect keeps both connections); mesh
    // connections still up (a switch under way) stay until the SFU plays.
    if (frame.topology === 'sfu') this.#sfu?.begin(this.#sessions.size === 0)
    const viaSfu = this.#sfu !== null && this.#sfu.mode !== 'off'
    // Back on the mesh while this page was away (it missed the `topology` frame).
    const missedMesh = viaSfu && frame.topology === 'mesh'
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
      if (viaSfu) continue
      if (existing && this.#samePeer(info.userId, info.peerId)) {
        // Our connections survived the signaling drop: we repair them (the others wait for it).
        existing.restartIce()
      } else if (info.connection === 'connected') {
        // We are the newcomer: we offer to everyone already there.
        this.#connect(info.userId, info.peerId, true)
      }
    }
    if (missedMesh) this.#sfu!.toMesh(true)
    // Tell the others what we send (they may have missed changes while we were away).
    this.options.signaling.send({ type: 'media', ...this.options.media.state })
    this.#changed()
  }

  #joined({ participant, reconnected }: ServerFrames['participant.joined']) {
    if (participant.userId === this.#selfId) return
    const known = this.#participants.get(participant.userId)
    const existing = this.#sessions.get(participant.userId)
    const stream = known?.stream ?? this.#sfu?.streamOf(participant.userId) ?? null
    this.#participants.set(participant.userId, { ...participant, stream, peerState: existing?.pc.connectionState ?? 'new' })
    // The newcomer makes the offers (see #welcome); we answer when they come. Offering from
    // both sides at once is "glare": perfect negotiation resolves it, but only one side
    // offering connects faster. If they came back on a new page, the old connection is gone.
    if (existing && !this.#samePeer(participant.userId, participant.peerId)) {
      existing.close()
      this.#sessions.delete(participant.userId)
      this.#sessionPeers.delete(participant.userId)
    } else if (existing && reconnected) {
      // They are about to restart ICE; an offer of ours they never received would collide.
      void existing.dropPendingOffer()
    }
    this.#changed()
  }

  #left(userId: number) {
    this.#sessions.get(userId)?.close()
    this.#sessions.delete(userId)
    this.#sessionPeers.delete(userId)
    this.#participants.delete(userId)
    this.#rebalance()
    this.#sfu?.recheck()
    this.#changed()
  }

  #media(userId: number | null, state: MediaState) {
    if (userId === null) return
    const participant = this.#participants.get(userId)
    if (!participant) return
    Object.assign(participant, { audio: state.audio, video: state.video, screen: state.screen })
    this.#changed()
  }

  /**
   * The session a signal belongs to. A signal can come before `participant.joined` (open the
   * session on demand), or from a page that replaced the one we talk to (start over with it).
   */
  #sessionFor(userId: number, peerId: string | null) {
    if (this.#selfId === null) return undefined
    const existing = this.#sessions.get(userId)
    if (existing && this.#samePeer(userId, peerId)) return existing
    // On (or moving to) the SFU: no new peer connection; moving back from it: yes.
    if (this.#sfu && !this.#sfu.acceptsMesh) return undefined
    return this.#connect(userId, peerId, false)
  }

  /** True when the session with `userId` talks to that page (unknown pages count as the same). */
  #samePeer(userId: number, peerId: string | null) {
    const current = this.#sessionPeers.get(userId)
    return !current || !peerId || current === peerId
  }

  #connect(userId: number, peerId: string | null, offerer: boolean) {
    this.options.log?.('call:state', `new connection to ${userId} (page ${peerId})`)
    this.#sessions.get(userId)?.close()
    this.#sessionPeers.set(userId, peerId)
    const session = new PeerSession({
      localUserId: this.#selfId!,
      remoteUserId: userId,
      config: this.#config,
      createPeerConnection: this.options.createPeerConnection,
      localTracks: this.options.media.tracks,
      offerer,
      send: (data) => this.options.signaling.send({ type: 'signal', to: userId, data }),
      log: this.options.log,
    })
    this.#sessions.set(userId, session)
    session.on('stream', (stream) => {
      // Back from the SFU: its stream stays on the tile until the mesh plays (SfuLink).
      if (this.#sfu?.holdsTiles) return this.#sfu.meshStream(userId, stream)
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

  #sfuHost() {
    return {
      participants: () => this.participants,
      config: () => this.#config,
      tracks: () => this.options.media.tracks as MediaStreamTrack[],
      closeMesh: () => {
        for (const session of this.#sessions.values()) session.close()
        this.#sessions.clear()
        this.#sessionPeers.clear()
      },
      // The lower user id of each pair offers (both pages move at once); a page that missed the
      // move offers to everyone, as a newcomer does.
      openMesh: (asNewcomer: boolean) => {
        for (const participant of this.#participants.values()) {
          const { userId, peerId, connection } = participant
          if (participant.peerState === 'self' || connection !== 'connected' || this.#sessions.has(userId)) continue
          if (asNewcomer || this.#selfId! < userId) this.#connect(userId, peerId, true)
        }
      },
      send: (frame: ClientFrame) => this.options.signaling.send(frame),
      changed: () => this.#changed(),
    }
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
