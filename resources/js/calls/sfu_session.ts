import { Emitter } from './emitter.js'
import { SIMULCAST_ENCODINGS } from './sfu_layers.js'
import type { PeerConnectionFactory } from './peer_session.js'
import type { ClientFrame, ServerFrames, SfuCandidate, SfuStream, SfuTarget } from '../../../app/signaling/protocol.js'

type SfuFrame = ServerFrames['sfu.answer' | 'sfu.offer' | 'sfu.trickle' | 'sfu.feeds']

type Events = {
  /** Someone's audio and video as this page receives them from the SFU (the same stream object as it gains tracks). */
  stream: { userId: number; stream: MediaStream }
  /** Someone whose feeds the SFU no longer sends (they stopped publishing or left). */
  gone: number
  /** One of the two connections changed state. */
  state: { target: SfuTarget; state: RTCPeerConnectionState }
  /** Who publishes in the room besides me, as the server says. */
  feeds: number[]
}

export type SfuSessionOptions = {
  send: (frame: ClientFrame) => void
  createPeerConnection: PeerConnectionFactory
  createStream?: () => MediaStream
  log?: (namespace: 'call:sdp' | 'call:ice' | 'call:state', ...args: unknown[]) => void
}

/**
 * A page's media through the SFU (docs/sfu.md): one connection publishing my microphone and
 * camera, one receiving everyone else's feeds (a Janus multistream subscription), both
 * negotiated through the call socket: I offer to publish (`sfu.publish`, answered by
 * `sfu.answer`), the server offers the subscription (`sfu.offer`, answered by `sfu.start`) and
 * offers again as people come and go. Candidates that arrive before their connection has a
 * remote description wait for it.
 */
export class SfuSession extends Emitter<Events> {
  publisher: RTCPeerConnection | null = null
  subscriber: RTCPeerConnection | null = null
  #config: RTCConfiguration = {}
  /** Who is on each m-line of the subscriber connection, from the last offer. */
  #streams = new Map<string, SfuStream>()
  #remote = new Map<number, MediaStream>()
  #waiting: Record<SfuTarget, SfuCandidate[]> = { publisher: [], subscriber: [] }
  #closed = false
  /** Whether my camera (or screen) is on: off, the publisher sends no video at all. */
  #videoOn = true
  /** Frames are handled one after the other: an offer must be answered before the next is read. */
  #queue: Promise<void> = Promise.resolve()

  constructor(private options: SfuSessionOptions) {
    super()
  }

  get started() {
    return this.publisher !== null
  }

  /**
   * Publishes these tracks and asks for everyone else's. Video goes out in three simulcast
   * layers (SIMULCAST_ENCODINGS): each receiver's SFU picks the one its tile needs.
   */
  async start(config: RTCConfiguration, tracks: MediaStreamTrack[]) {
    if (this.publisher || this.#closed) return
    this.#config = config
    const pc = this.#connection('publisher')
    this.publisher = pc
    for (const track of tracks) {
      if (track.kind !== 'video') pc.addTrack(track)
      else {
        const sendEncodings = SIMULCAST_ENCODINGS.map((encoding) => ({ ...encoding, active: this.#videoOn }))
        pc.addTransceiver(track, { direction: 'sendonly', sendEncodings })
      }
    }
    await pc.setLocalDescription()
    this.options.log?.('call:sdp', 'sfu publish offer')
    this.options.send({ type: 'sfu.publish', jsep: { type: 'offer', sdp: pc.localDescription!.sdp } })
    this.options.send({ type: 'sfu.subscribe' })
  }

  /**
   * Starts over on new connections (the server holds no handles for this page any more, see
   * `sfu.restart`), in turn with the frames: what the old connections still had waiting is
   * dropped. The streams handed out stay the same objects and get the new tracks.
   */
  restart(config: RTCConfiguration, tracks: MediaStreamTrack[]) {
    this.#queue = this.#queue.then(() => {
      if (this.#closed) return
      this.publisher?.close()
      this.subscriber?.close()
      this.publisher = null
      this.subscriber = null
      this.#streams.clear()
      this.#waiting = { publisher: [], subscriber: [] }
      this.options.log?.('call:state', 'sfu restart')
      return this.start(config, tracks)
    })
    return this.#queue
  }

  /** Handles the server's SFU frames, in order. */
  receive(frame: SfuFrame) {
    this.#queue = this.#queue
      .then(() => this.#receive(frame))
      .catch((error) => this.options.log?.('call:sdp', `sfu ${frame.type} failed`, error))
    return this.#queue
  }

  async #receive(frame: SfuFrame) {
    if (this.#closed) return
    switch (frame.type) {
      case 'sfu.answer':
        if (!this.publisher) return
        await this.publisher.setRemoteDescription(frame.jsep)
        return this.#flush('publisher')
      case 'sfu.offer':
        return this.#subscriptionOffer(frame)
      case 'sfu.trickle': {
        const pc = frame.target === 'publisher' ? this.publisher : this.subscriber
        if (pc?.remoteDescription) return this.#addCandidate(pc, frame.candidate)
        this.#waiting[frame.target].push(frame.candidate)
        return
      }
      case 'sfu.feeds':
        return this.emit('feeds', frame.userIds)
    }
  }

  async #subscriptionOffer(frame: ServerFrames['sfu.offer']) {
    if (!this.subscriber) {
      const pc = this.#connection('subscriber')
      pc.ontrack = (event) => this.#track(event)
      this.subscriber = pc
    }
    this.#streams = new Map(frame.streams.map((stream) => [stream.mid, stream]))
    await this.subscriber.setRemoteDescription(frame.jsep)
    await this.subscriber.setLocalDescription()
    this.options.log?.('call:sdp', 'sfu subscription answer', frame.streams)
    this.options.send({ type: 'sfu.start', jsep: { type: 'answer', sdp: this.subscriber.localDescription!.sdp } })
    await this.#flush('subscriber')
    const present = new Set(frame.streams.map((stream) => stream.userId))
    for (const userId of [...this.#remote.keys()]) {
      if (present.has(userId)) continue
      this.#remote.delete(userId)
      this.emit('gone', userId)
    }
  }

  /** A received track joins its sender's stream (one stream per person, as the mesh gives them). */
  #track(event: RTCTrackEvent) {
    const info = this.#streams.get(event.transceiver?.mid ?? '')
    if (!info) return
    let stream = this.#remote.get(info.userId)
    if (!stream) {
      stream = this.options.createStream?.() ?? new MediaStream()
      this.#remote.set(info.userId, stream)
    }
    for (const old of stream.getTracks()) if (old.kind === event.track.kind && old !== event.track) stream.removeTrack(old)
    stream.addTrack(event.track)
    this.emit('stream', { userId: info.userId, stream })
  }

  /** Sends another camera or microphone track in place of the current one (no renegotiation). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null) {
    const sender = this.publisher?.getSenders().find((candidate) => candidate.track?.kind === kind)
    await sender?.replaceTrack(track)
  }

  /**
   * Camera (and screen) off: the publisher stops every video layer, so the SFU and everyone
   * behind it get no video of mine, not even the black frames a disabled track makes.
   */
  async sendVideo(on: boolean) {
    if (this.#videoOn === on) return
    this.#videoOn = on
    const sender = this.publisher?.getSenders().find((candidate) => candidate.track?.kind === 'video')
    if (!sender) return
    const parameters = sender.getParameters()
    for (const encoding of parameters.encodings) encoding.active = on
    await sender.setParameters(parameters)
  }

  setConfiguration(config: RTCConfiguration) {
    this.#config = config
    this.publisher?.setConfiguration(config)
    this.subscriber?.setConfiguration(config)
  }

  /** Closes both connections; safe to call twice. */
  close() {
    if (this.#closed) return
    this.#closed = true
    this.publisher?.close()
    this.subscriber?.close()
  }

  #connection(target: SfuTarget) {
    const pc = this.options.createPeerConnection(this.#config)
    pc.onicecandidate = (event) => {
      const candidate = event.candidate ? (event.candidate.toJSON() as SfuCandidate) : null
      this.options.send({ type: 'sfu.trickle', target, candidate })
    }
    pc.onconnectionstatechange = () => {
      this.options.log?.('call:state', `sfu ${target} ${pc.connectionState}`)
      this.emit('state', { target, state: pc.connectionState })
    }
    return pc
  }

  async #flush(target: SfuTarget) {
    const pc = target === 'publisher' ? this.publisher : this.subscriber
    const waiting = this.#waiting[target]
    this.#waiting[target] = []
    for (const candidate of waiting) await this.#addCandidate(pc!, candidate)
  }

  async #addCandidate(pc: RTCPeerConnection, candidate: SfuCandidate) {
    try {
      await pc.addIceCandidate(candidate ?? undefined)
    } catch (error) {
      this.options.log?.('call:ice', 'sfu candidate refused', error)
    }
  }
}
