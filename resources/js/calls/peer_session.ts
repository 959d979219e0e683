import { Emitter } from './emitter.js'
import { RemoteStream } from './remote_stream.js'
import type { SignalData } from '../../../app/signaling/protocol.js'

type SignalCandidate = Extract<SignalData, { candidate: unknown }>['candidate']

export type PeerConnectionFactory = (config: RTCConfiguration) => RTCPeerConnection

type Events = {
  /** What the remote person sends changed: all of their tracks, as one stream (see RemoteStream). */
  stream: MediaStream
  /** The connection's state, as the page shows it. */
  state: RTCPeerConnectionState
}

export type PeerSessionOptions = {
  localUserId: number
  remoteUserId: number
  config: RTCConfiguration
  createPeerConnection: PeerConnectionFactory
  /** Sends one signal (description or candidate) to the remote peer through signaling. */
  send: (data: SignalData) => void
  /** The tracks to send (taken from the local stream at creation). */
  localTracks: MediaStreamTrack[]
  /**
   * True on the side that opens the connection (it offers first). Only that side adds
   * receive-only transceivers for what it does not send; the answering side gets them from the
   * offer, so it has nothing left to renegotiate right after answering.
   */
  offerer: boolean
  log?: (namespace: 'call:sdp' | 'call:ice' | 'call:state', ...args: unknown[]) => void
  /** How long `disconnected` may last before an ICE restart is tried. */
  disconnectedGraceMs?: number
}

/**
 * One RTCPeerConnection to one remote participant, negotiated with the W3C "perfect
 * negotiation" pattern: both sides may make offers at any time, and when offers collide the
 * polite side yields. **The peer with the larger user id is polite**, so every pair agrees
 * without asking the server. ICE candidates that arrive before the remote description are
 * queued. Repairs itself with an ICE restart when the connection fails or stays disconnected.
 * `close()` is safe to call twice.
 */
export class PeerSession extends Emitter<Events> {
  readonly polite: boolean
  readonly pc: RTCPeerConnection
  #makingOffer = false
  #ignoreOffer = false
  #settingRemoteAnswer = false
  /** Incoming signals are applied one after another, in the order they arrived. */
  #inbox: Promise<void> = Promise.resolve()
  #pendingCandidates: RTCIceCandidateInit[] = []
  #closed = false
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null
  #remote = new RemoteStream((stream) => this.emit('stream', stream))
  #log: NonNullable<PeerSessionOptions['log']>

  constructor(private options: PeerSessionOptions) {
    super()
    this.polite = options.localUserId > options.remoteUserId
    this.#log = options.log ?? (() => {})
    this.pc = options.createPeerConnection(options.config)
    const stream = new MediaStream()
    for (const track of options.localTracks) this.pc.addTrack(track, stream)
    // Always able to receive audio and video, even when sending neither (receive-only join).
    if (options.offerer) {
      const kinds = new Set(options.localTracks.map((track) => track.kind))
      if (!kinds.has('audio')) this.pc.addTransceiver('audio', { direction: 'recvonly' })
      if (!kinds.has('video')) this.pc.addTransceiver('video', { direction: 'recvonly' })
    }

    this.pc.onnegotiationneeded = () => void this.#negotiate()
    this.pc.onicecandidate = ({ candidate }) => {
      this.#log('call:ice', 'local candidate', candidate?.candidate)
      this.options.send({ candidate: candidate ? (candidate.toJSON() as SignalCandidate) : null })
    }
    this.pc.onicecandidateerror = (event) => {
      const error = event as RTCPeerConnectionIceErrorEvent
      this.#log('call:ice', 'candidate error', error.errorCode, error.errorText, error.url)
    }
    // Audio and video may come in one stream, two, or none: the person's tile gets them all.
    this.pc.ontrack = ({ streams, track }) => this.#remote.add(track, streams)
    this.pc.onconnectionstatechange = () => this.#watchState()
  }

  get remoteUserId() {
    return this.options.remoteUserId
  }

  get closed() {
    return this.#closed
  }

  /** Handles a description or candidate the remote peer sent (queued behind earlier ones). */
  receive(data: SignalData) {
    this.#inbox = this.#inbox.then(async () => {
      if (this.#closed) return
      try {
        if ('description' in data) await this.#receiveDescription(data.description as RTCSessionDescriptionInit)
        else if ('candidate' in data) await this.#receiveCandidate(data.candidate)
      } catch (error) {
        this.#log('call:sdp', 'signal failed', error)
      }
    })
    return this.#inbox
  }

  /**
   * Abandons an offer the other side never got (it was dropped while they were reconnecting),
   * so the repair offer they send on their return is accepted instead of colliding with it.
   */
  async dropPendingOffer() {
    if (this.#closed || this.pc.signalingState !== 'have-local-offer') return
    this.#log('call:sdp', 'rolling back an unanswered offer')
    await this.pc.setLocalDescription({ type: 'rollback' }).catch((error) => this.#log('call:sdp', 'rollback failed', error))
  }

  /** Asks for fresh ICE candidates on both sides (after a network change or a reconnect). */
  restartIce() {
    if (this.#closed) return
    this.#log('call:ice', 'ICE restart')
    this.pc.restartIce()
  }

  /**
   * Swaps what is sent for `kind` without renegotiating (device switch, screen share). A
   * receive-only transceiver (an audio call sharing its screen) starts sending, which does
   * renegotiate, through the same perfect-negotiation path.
   */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null) {
    const transceiver = this.pc
      .getTransceivers()
      .find((candidate) => (candidate.sender.track ?? candidate.receiver.track).kind === kind)
    if (!transceiver) return
    await transceiver.sender.replaceTrack(track)
    if (track && transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv'
  }

  /** Caps what this connection sends: a bigger mesh gets a smaller share each. */
  async limitVideo(maxBitrate: number, scaleResolutionDownBy: number) {
    for (const sender of this.pc.getSenders()) {
      if (sender.track?.kind !== 'video') continue
      const parameters = sender.getParameters()
      if (!parameters.encodings?.length) continue
      parameters.encodings[0]!.maxBitrate = maxBitrate
      parameters.encodings[0]!.scaleResolutionDownBy = scaleResolutionDownBy
      await sender.setParameters(parameters).catch((error) => this.#log('call:sdp', 'setParameters failed', error))
    }
  }

  setConfiguration(config: RTCConfiguration) {
    if (!this.#closed) this.pc.setConfiguration(config)
  }

  close() {
    if (this.#closed) return
    this.#log('call:state', `closing connection to ${this.options.remoteUserId}`)
    this.#closed = true
    if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer)
    this.pc.onnegotiationneeded = null
    this.pc.onicecandidate = null
    this.pc.onicecandidateerror = null
    this.pc.ontrack = null
    this.#remote.close()
    this.pc.onconnectionstatechange = null
    this.pc.close()
  }

  async #negotiate() {
    if (this.#closed) return
    // The answering side lets the other side's first offer set things up; negotiating before
    // it arrives would only create a collision.
    if (!this.options.offerer && !this.pc.remoteDescription) return
    try {
      this.#makingOffer = true
      await this.pc.setLocalDescription()
      this.#log('call:sdp', 'offer', this.pc.localDescription?.type)
      this.options.send({ description: this.pc.localDescription!.toJSON() })
    } catch (error) {
      this.#log('call:sdp', 'negotiation failed', error)
    } finally {
      this.#makingOffer = false
    }
  }

  async #receiveDescription(description: RTCSessionDescriptionInit) {
    // The W3C perfect-negotiation test: an answer being applied does not make us busy.
    const readyForOffer =
      !this.#makingOffer && (this.pc.signalingState === 'stable' || this.#settingRemoteAnswer)
    const offerCollision = description.type === 'offer' && !readyForOffer
    this.#ignoreOffer = !this.polite && offerCollision
    if (this.#ignoreOffer) {
      this.#log('call:sdp', 'ignoring colliding offer (impolite)')
      return
    }
    this.#settingRemoteAnswer = description.type === 'answer'
    try {
      await this.pc.setRemoteDescription(description)
    } finally {
      this.#settingRemoteAnswer = false
    }
    this.#log('call:sdp', 'remote', description.type)
    for (const candidate of this.#pendingCandidates.splice(0)) {
      await this.pc.addIceCandidate(candidate).catch((error) => this.#log('call:ice', 'queued candidate', error))
    }
    if (description.type === 'offer') {
      await this.pc.setLocalDescription()
      this.options.send({ description: this.pc.localDescription!.toJSON() })
    }
  }

  async #receiveCandidate(candidate: RTCIceCandidateInit | null) {
    if (!this.pc.remoteDescription) {
      if (candidate) this.#pendingCandidates.push(candidate)
      return
    }
    try {
      await this.pc.addIceCandidate(candidate ?? undefined)
    } catch (error) {
      if (!this.#ignoreOffer) throw error
    }
  }

  #watchState() {
    const state = this.pc.connectionState
    this.#log('call:state', state)
    this.emit('state', state)
    if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer)
    this.#disconnectedTimer = null
    // One side repairs (the impolite one), so two restarts never collide.
    if (this.polite) return
    if (state === 'failed') this.restartIce()
    if (state === 'disconnected') {
      this.#disconnectedTimer = setTimeout(() => this.restartIce(), this.options.disconnectedGraceMs ?? 3000)
    }
  }
}
