import type { SfuSession } from './sfu_session.js'
import type { SignalingClient } from './signaling_client.js'
import type { Participant } from './mesh.js'
import type { ClientFrame } from '../../../app/signaling/protocol.js'

/** What the link needs of the Mesh that owns it. */
export interface SfuHost {
  participants(): Participant[]
  config(): RTCConfiguration
  tracks(): MediaStreamTrack[]
  /** Closes every peer connection of the mesh (the SFU carries everyone now). */
  closeMesh(): void
  /** Opens peer connections to everyone connected (back from the SFU); `asNewcomer`: offer to all of them. */
  openMesh(asNewcomer: boolean): void
  send(frame: ClientFrame): void
  changed(): void
}

/**
 * `off`: a mesh call; `switching`: SFU connections up, mesh kept until they play; `on`: SFU only;
 * `leaving`: back to the mesh, SFU kept until the mesh plays; `lost`: the SFU is gone and the
 * call too large for the mesh (the server said `sfu_lost`).
 */
export type SfuMode = 'off' | 'switching' | 'on' | 'leaving' | 'lost'

/** The longest a page keeps its SFU connections once told to go back to the mesh (the server destroys the room at 20 s). */
export const LEAVING_DEADLINE_MS = 15_000

const plays = (stream: MediaStream | null | undefined) =>
  Boolean(stream?.getTracks().some((track) => track.muted === false && track.readyState === 'live'))

/**
 * The Mesh's way to the SFU: hands the server's `sfu.*` frames to the SfuSession, and moves the
 * call's tiles to what the SFU sends. A call that starts on the SFU uses it at once; a mesh call
 * told to move (`topology: sfu`) publishes and subscribes first and closes its peer connections
 * only once every connected person's SFU stream plays (make-before-break: no black tile). Told
 * to go back (`topology: mesh`), it does the reverse: the mesh connects first, the SFU
 * connections close once every connected person's mesh stream plays (or after
 * LEAVING_DEADLINE_MS), and a fresh SfuSession waits for the next move.
 */
export class SfuLink {
  #mode: SfuMode = 'off'
  #sfu!: SfuSession
  #streams = new Map<number, MediaStream>()
  /** What the mesh receives of each person while leaving: shown once it all plays. */
  #meshStreams = new Map<number, MediaStream>()
  #watched = new WeakSet<MediaStreamTrack>()
  #unsubscribe: Array<() => void>
  #session: Array<() => void> = []
  #deadline: ReturnType<typeof setTimeout> | null = null

  constructor(
    private createSession: () => SfuSession,
    signaling: SignalingClient,
    private host: SfuHost
  ) {
    this.#use(createSession())
    this.#unsubscribe = [
      signaling.on('sfu.answer', (frame) => void this.#sfu.receive(frame)),
      signaling.on('sfu.offer', (frame) => void this.#sfu.receive(frame)),
      signaling.on('sfu.trickle', (frame) => void this.#sfu.receive(frame)),
      signaling.on('sfu.feeds', (frame) => void this.#sfu.receive(frame)),
      signaling.on('topology', (frame) => (frame.topology === 'sfu' ? this.begin(false) : this.toMesh(false))),
      signaling.on('error', (frame) => {
        if (frame.code === 'sfu_lost' && this.#mode === 'on') this.#mode = 'lost'
      }),
    ]
  }

  get mode() {
    return this.#mode
  }

  /** The SfuSession, once the call uses the SFU. */
  get session() {
    return this.#mode === 'off' ? undefined : this.#sfu
  }

  /** Whether the tiles show what the SFU sends (the mesh's streams wait while leaving). */
  get holdsTiles() {
    return this.#mode === 'on' || this.#mode === 'leaving' || this.#mode === 'lost'
  }

  /** Whether a peer connection may be opened for someone's signal (not while on the SFU). */
  get acceptsMesh() {
    return this.#mode === 'off' || this.#mode === 'leaving'
  }

  /** What the SFU sends of someone, once it carries the call (undefined before). */
  streamOf(userId: number) {
    return this.#mode === 'on' ? (this.#streams.get(userId) ?? null) : undefined
  }

  /** Starts using the SFU: `immediately` when there is no mesh to keep (the call started on the SFU). */
  begin(immediately: boolean) {
    if (this.#mode === 'off' || this.#mode === 'lost') {
      // A Janus that came back after a loss: the old session is dead, its tiles frozen.
      if (this.#mode === 'lost') this.#use(this.createSession())
      this.#mode = immediately || this.#mode === 'lost' ? 'on' : 'switching'
      void this.#sfu.start(this.host.config(), this.host.tracks())
    }
    this.recheck()
  }

  /** Goes back to the mesh, make-before-break; `asNewcomer` when this page missed the move (a reconnect). */
  toMesh(asNewcomer: boolean) {
    if (this.#mode === 'off' || this.#mode === 'leaving') return
    if (this.#mode === 'switching') {
      // The mesh is still up: nothing to wait for.
      this.#mode = 'on'
      return this.#finishLeaving()
    }
    this.#mode = 'leaving'
    this.#deadline = setTimeout(() => this.#finishLeaving(), LEAVING_DEADLINE_MS)
    this.host.openMesh(asNewcomer)
    this.recheck()
  }

  /** A mesh connection's stream of someone, while the SFU still holds the tiles. */
  meshStream(userId: number, stream: MediaStream) {
    this.#meshStreams.set(userId, stream)
    this.#watch(stream)
    this.recheck()
  }

  /** Looks again whether a switch under way is done (someone left, a track started playing). */
  recheck() {
    const others = this.host.participants().filter((participant) => participant.peerState !== 'self' && participant.connection === 'connected')
    if (this.#mode === 'switching' && others.every((participant) => plays(this.#streams.get(participant.userId)))) {
      this.#mode = 'on'
      this.host.closeMesh()
      for (const participant of others) participant.stream = this.#streams.get(participant.userId) ?? null
      this.host.changed()
    }
    if (this.#mode === 'leaving' && others.every((participant) => plays(this.#meshStreams.get(participant.userId)))) this.#finishLeaving()
  }

  close() {
    if (this.#deadline) clearTimeout(this.#deadline)
    this.#unsubscribe.forEach((unsubscribe) => unsubscribe())
    this.#session.forEach((unsubscribe) => unsubscribe())
    this.#sfu.close()
  }

  /** The mesh plays (or the deadline passed): the SFU connections close, the tiles show the mesh. */
  #finishLeaving() {
    if (this.#deadline) clearTimeout(this.#deadline)
    this.#deadline = null
    this.#mode = 'off'
    this.#sfu.close()
    this.host.send({ type: 'sfu.leave' })
    for (const participant of this.host.participants()) {
      if (participant.peerState !== 'self') participant.stream = this.#meshStreams.get(participant.userId) ?? null
    }
    this.#meshStreams.clear()
    this.#use(this.createSession())
    this.host.changed()
  }

  /** Listens to a (fresh) SfuSession. */
  #use(session: SfuSession) {
    this.#session.forEach((unsubscribe) => unsubscribe())
    this.#streams.clear()
    this.#sfu = session
    this.#session = [
      session.on('stream', ({ userId, stream }) => {
        this.#streams.set(userId, stream)
        this.#watch(stream)
        this.#show(userId)
        this.recheck()
      }),
      session.on('gone', (userId) => {
        this.#streams.delete(userId)
        this.#show(userId)
      }),
      session.on('state', ({ target, state }) => {
        if (target !== 'subscriber' || this.#mode !== 'on') return
        for (const participant of this.host.participants()) if (participant.peerState !== 'self') participant.peerState = state
        this.host.changed()
      }),
    ]
  }

  #watch(stream: MediaStream) {
    for (const track of stream.getTracks()) {
      if (this.#watched.has(track)) continue
      this.#watched.add(track)
      track.addEventListener('unmute', () => this.recheck())
    }
  }

  /** A tile shows the SFU's stream only once the SFU carries the call. */
  #show(userId: number) {
    if (this.#mode !== 'on') return
    const participant = this.host.participants().find((candidate) => candidate.userId === userId)
    if (participant) participant.stream = this.#streams.get(userId) ?? null
    this.host.changed()
  }
}
