/**
 * Just enough of the browser's WebRTC and WebSocket objects to run resources/js/calls in Node:
 * a peer connection with the real signaling-state machine (offer/answer, implicit rollback),
 * and a WebSocket the test opens and closes by hand. They record what the code under test did.
 */
export class FakeMediaStream extends EventTarget {
  tracks: FakeTrack[] = []
  constructor(tracks: FakeTrack[] = []) {
    super()
    this.tracks = [...tracks]
  }
  getTracks() {
    return this.tracks
  }
  getAudioTracks() {
    return this.tracks.filter((track) => track.kind === 'audio')
  }
  getVideoTracks() {
    return this.tracks.filter((track) => track.kind === 'video')
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track)
  }
  removeTrack(track: FakeTrack) {
    this.tracks = this.tracks.filter((candidate) => candidate !== track)
  }
  /** Test helper: the browser takes a received track out (the sender's removeTrack), telling listeners. */
  loseTrack(track: FakeTrack) {
    this.removeTrack(track)
    this.dispatchEvent(Object.assign(new Event('removetrack'), { track }))
  }
}

export class FakeTrack extends EventTarget {
  enabled = true
  stopped = false
  readyState: MediaStreamTrackState = 'live'
  /** The capture device it came from, as getSettings() tells it, and its label. */
  deviceId = ''
  label = ''
  constructor(readonly kind: 'audio' | 'video', readonly id = `${kind}-${Math.random().toString(36).slice(2, 7)}`) {
    super()
  }
  getSettings() {
    return { deviceId: this.deviceId }
  }
  stop() {
    this.stopped = true
    this.readyState = 'ended'
  }
  /** Test helper: the track ends on its own (its transceiver stopped), as browsers report it. */
  end() {
    this.readyState = 'ended'
    this.dispatchEvent(new Event('ended'))
  }
}

type Description = { type: 'offer' | 'answer' | 'rollback'; sdp?: string }

export class FakePeerConnection {
  static created: FakePeerConnection[] = []
  signalingState: RTCSignalingState = 'stable'
  connectionState: RTCPeerConnectionState = 'new'
  localDescription: (Description & { toJSON(): Description }) | null = null
  remoteDescription: Description | null = null
  added: Array<{ track: FakeTrack | null; kind: string; direction: string; encodings?: RTCRtpEncodingParameters[] }> = []
  candidates: Array<RTCIceCandidateInit | undefined> = []
  restarts = 0
  closed = false
  configuration: RTCConfiguration
  onnegotiationneeded: (() => void) | null = null
  onicecandidate: ((event: { candidate: { candidate: string; toJSON(): object } | null }) => void) | null = null
  onicecandidateerror: ((event: unknown) => void) | null = null
  ontrack: ((event: unknown) => void) | null = null
  onconnectionstatechange: (() => void) | null = null
  #counter = 0

  constructor(configuration: RTCConfiguration) {
    this.configuration = configuration
    FakePeerConnection.created.push(this)
  }

  addTrack(track: FakeTrack) {
    this.added.push({ track, kind: track.kind, direction: 'sendrecv' })
    this.#needNegotiation()
  }

  /** Like browsers: one `negotiationneeded` for changes made together, only when stable. */
  #negotiationQueued = false
  #needNegotiation() {
    if (this.#negotiationQueued) return
    this.#negotiationQueued = true
    queueMicrotask(() => {
      this.#negotiationQueued = false
      if (this.signalingState === 'stable' && !this.closed) this.onnegotiationneeded?.()
    })
  }

  /** A kind (receive or send later) or a track (sent now, with its encodings: simulcast). */
  addTransceiver(trackOrKind: string | FakeTrack, init: { direction: string; sendEncodings?: RTCRtpEncodingParameters[] }) {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind
    this.added.push({ track, kind, direction: init.direction, ...(init.sendEncodings ? { encodings: init.sendEncodings } : {}) })
    if (track) this.#needNegotiation()
  }

  getTransceivers() {
    return this.added.map((entry) => ({
      get direction() {
        return entry.direction
      },
      set direction(value: string) {
        entry.direction = value
      },
      sender: {
        get track() {
          return entry.track
        },
        replaceTrack: async (track: FakeTrack | null) => {
          entry.track = track
        },
        getParameters: () => ({ encodings: structuredClone(entry.encodings ?? []) }),
        setParameters: async (parameters: { encodings: RTCRtpEncodingParameters[] }) => {
          if (entry.encodings) entry.encodings = parameters.encodings
        },
      },
      receiver: { track: { kind: entry.kind } },
    }))
  }

  getSenders() {
    return this.getTransceivers().map((transceiver) => transceiver.sender)
  }

  async setLocalDescription(description?: Description) {
    await Promise.resolve()
    if (description?.type === 'rollback') {
      this.localDescription = null
      this.signalingState = 'stable'
      return
    }
    const type = description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer')
    const sdp = `${type}-${++this.#counter}`
    this.localDescription = { type, sdp, toJSON: () => ({ type, sdp }) } as any
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable'
  }

  async setRemoteDescription(description: Description) {
    await Promise.resolve()
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') {
      // Implicit rollback, as browsers do for the polite peer.
      this.signalingState = 'stable'
      this.localDescription = null
    }
    if (description.type === 'answer' && this.signalingState !== 'have-local-offer') {
      throw new Error(`InvalidStateError: answer in state ${this.signalingState}`)
    }
    this.remoteDescription = description
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable'
  }

  async addIceCandidate(candidate?: RTCIceCandidateInit) {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description')
    this.candidates.push(candidate)
  }

  restartIce() {
    this.restarts += 1
    this.#needNegotiation()
  }

  setConfiguration(configuration: RTCConfiguration) {
    this.configuration = configuration
  }

  close() {
    this.closed = true
    this.connectionState = 'closed'
  }

  /** Test helpers: what the browser would report. */
  emitCandidate(candidate: string | null) {
    this.onicecandidate?.({ candidate: candidate ? { candidate, toJSON: () => ({ candidate, sdpMid: '0', sdpMLineIndex: 0 }) } : null })
  }

  /** A remote track arrives, in the streams its sender put it in. */
  emitTrack(track: FakeTrack, streams: FakeMediaStream[] = []) {
    this.ontrack?.({ track, streams })
  }

  setConnectionState(state: RTCPeerConnectionState) {
    this.connectionState = state
    this.onconnectionstatechange?.()
  }
}

export class FakeSocket {
  static opened: FakeSocket[] = []
  readyState = 0
  sent: any[] = []
  closedWith: { code?: number; reason?: string } | null = null
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.opened.push(this)
  }

  send(data: string) {
    this.sent.push(JSON.parse(data))
  }

  close(code?: number, reason?: string) {
    this.closedWith = { code, reason }
    this.readyState = 3
  }

  /** Test helpers: the server's side of the conversation. */
  open() {
    this.readyState = 1
    this.onopen?.({})
  }

  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }

  drop(code: number, reason = '') {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}

/** Installs the globals PeerSession and LocalMedia expect (MediaStream) for the test's duration. */
export function installMediaStream() {
  const previous = (globalThis as any).MediaStream
  ;(globalThis as any).MediaStream = FakeMediaStream
  return () => {
    ;(globalThis as any).MediaStream = previous
  }
}

export const flush = () => new Promise((resolve) => setImmediate(resolve))
