import type { SfuSession } from './sfu_session.js'
import type { SignalingClient } from './signaling_client.js'
import type { Participant } from './mesh.js'

/** What the link needs of the Mesh that owns it. */
export interface SfuHost {
  participants(): Participant[]
  config(): RTCConfiguration
  tracks(): MediaStreamTrack[]
  /** Closes every peer connection of the mesh (the SFU carries everyone now). */
  closeMesh(): void
  changed(): void
}

/** `off`: a mesh call; `switching`: SFU connections up, mesh kept until they play; `on`: SFU only. */
export type SfuMode = 'off' | 'switching' | 'on'

/**
 * The Mesh's way to the SFU: hands the server's `sfu.*` frames to the SfuSession, and moves the
 * call's tiles to what the SFU sends. A call that starts on the SFU uses it at once; a mesh call
 * told to move (`topology`) publishes and subscribes first and closes its peer connections
 * only once every connected person's SFU stream plays (make-before-break: no black tile).
 */
export class SfuLink {
  #mode: SfuMode = 'off'
  #streams = new Map<number, MediaStream>()
  #watched = new WeakSet<MediaStreamTrack>()
  #unsubscribe: Array<() => void>

  constructor(
    private sfu: SfuSession,
    signaling: SignalingClient,
    private host: SfuHost
  ) {
    this.#unsubscribe = [
      signaling.on('sfu.answer', (frame) => void sfu.receive(frame)),
      signaling.on('sfu.offer', (frame) => void sfu.receive(frame)),
      signaling.on('sfu.trickle', (frame) => void sfu.receive(frame)),
      signaling.on('sfu.feeds', (frame) => void sfu.receive(frame)),
      signaling.on('topology', () => this.begin(false)),
      // This page's Janus handles are gone (its socket came back on another instance): again.
      signaling.on('sfu.restart', () => {
        if (this.#mode !== 'off') void sfu.restart(this.host.config(), this.host.tracks())
      }),
      sfu.on('stream', ({ userId, stream }) => {
        this.#streams.set(userId, stream)
        for (const track of stream.getTracks()) {
          if (this.#watched.has(track)) continue
          this.#watched.add(track)
          track.addEventListener('unmute', () => this.#check())
        }
        this.#show(userId)
        this.#check()
      }),
      sfu.on('gone', (userId) => {
        this.#streams.delete(userId)
        this.#show(userId)
      }),
      sfu.on('state', ({ target, state }) => {
        if (target !== 'subscriber' || this.#mode !== 'on') return
        for (const participant of this.host.participants()) if (participant.peerState !== 'self') participant.peerState = state
        this.host.changed()
      }),
    ]
  }

  get mode() {
    return this.#mode
  }

  /** The SfuSession, once the call uses the SFU. */
  get session() {
    return this.#mode === 'off' ? undefined : this.sfu
  }

  /** What the SFU sends of someone, once it carries the call (undefined before). */
  streamOf(userId: number) {
    return this.#mode === 'on' ? (this.#streams.get(userId) ?? null) : undefined
  }

  /** Starts using the SFU: `immediately` when there is no mesh to keep (the call started on the SFU). */
  begin(immediately: boolean) {
    if (this.#mode === 'off') {
      this.#mode = immediately ? 'on' : 'switching'
      void this.sfu.start(this.host.config(), this.host.tracks())
    }
    this.#check()
  }

  close() {
    this.#unsubscribe.forEach((unsubscribe) => unsubscribe())
    this.sfu.close()
  }

  /** A tile shows the SFU's stream only once the SFU carries the call. */
  #show(userId: number) {
    if (this.#mode !== 'on') return
    const participant = this.host.participants().find((candidate) => candidate.userId === userId)
    if (participant) participant.stream = this.#streams.get(userId) ?? null
    this.host.changed()
  }

  /** Switching: done when every connected person's SFU stream has a track with media flowing. */
  #check() {
    if (this.#mode !== 'switching') return
    const others = this.host.participants().filter((participant) => participant.peerState !== 'self' && participant.connection === 'connected')
    const playing = (userId: number) => this.#streams.get(userId)?.getTracks().some((track) => track.muted === false && track.readyState === 'live')
    if (!others.every((participant) => playing(participant.userId))) return
    this.#mode = 'on'
    this.host.closeMesh()
    for (const participant of others) participant.stream = this.#streams.get(participant.userId) ?? null
    this.host.changed()
  }
}
