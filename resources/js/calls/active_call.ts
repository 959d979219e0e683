import { Emitter } from './emitter.js'
import type { CallStage, StageControls, StageEnd, Tile } from './call_stage.js'
import type { LocalMedia } from './local_media.js'
import type { Hands } from './hands.js'
import type { Arrangement } from './stage_layout.js'

/** What the server tells a page about the call it joins (pages/calls/show.edge, frags/call_dock.edge). */
export type CallOptions = {
  callId: number
  kind: 'audio' | 'video'
  signalPath: string
  qualityReportsUrl: string
}

/** The live objects of one call, built once per call (resources/js/calls/call_parts.ts in the page). */
export type CallParts = {
  media: Pick<LocalMedia, 'muted' | 'cameraOff' | 'state' | 'toggleMute' | 'toggleCamera' | 'startScreenShare' | 'stopScreenShare'> & Partial<LocalMedia>
  stage: Pick<CallStage, 'on' | 'tiles' | 'controls' | 'streamOf' | 'close'>
  /** Raised hands and reactions of this call (resources/js/calls/hands.ts). */
  hands?: Hands
  /** Who I am in the call, from the socket's `welcome` (0 until then). */
  self?: { userId: number; initiator: boolean }
  /** The room's stage was laid out so (which tile is large): the SFU layers follow it. */
  arranged?: (arrangement: Arrangement, tiles: Tile[]) => void
  /** Extra teardown (the quality reporter's timers). */
  close?: () => void
}

/** What a build reports back: a sentence for the person (a denied camera...), the socket's state. */
export type CallHooks = { notice: (text: string) => void; connection: (state: string) => void }

export type BuildCall = (options: CallOptions, hooks: CallHooks) => Promise<CallParts>

type Events = { change: ActiveCall; ended: StageEnd }

/**
 * One call this page takes part in, outliving the DOM that shows it: the room page's stage and
 * the layout's dock are views that attach to it (and detach on an htmx swap) while its socket,
 * peer connections and devices stay up. It keeps the last state the stage emitted, so a view
 * that attaches later (back to the room) shows the same tiles at once, with the same streams.
 */
export class ActiveCall extends Emitter<Events> {
  tiles: Tile[] = []
  speakerId: number | null = null
  controls: StageControls = { muted: false, cameraOff: false, sharing: false }
  connection = 'connecting'
  notices: string[] = []
  end: StageEnd | null = null
  /** Room pages showing this call now: while one is, its tiles play the sound, not the dock. */
  views = 0
  /** Set when the browser refused to start sound without a touch ("Start audio"). */
  audioBlocked = false
  readonly ready: Promise<void>
  #parts: CallParts | null = null
  #closed = false

  constructor(readonly options: CallOptions, build: BuildCall) {
    super()
    const hooks = { notice: (text: string) => this.#notice(text), connection: (state: string) => this.#connection(state) }
    this.ready = build(options, hooks).then((parts) => this.#wire(parts))
  }

  get parts() {
    return this.#parts
  }

  get live() {
    return !this.end && !this.#closed
  }

  streamOf(userId: number, self: boolean) {
    return this.#parts?.stage.streamOf(userId, self)
  }

  /** A view laid its tiles out so: the call picks what to receive from it. */
  arranged(arrangement: Arrangement, tiles: Tile[]) {
    this.#parts?.arranged?.(arrangement, tiles)
  }

  attachView() {
    this.views += 1
    this.emit('change', this)
    return () => {
      this.views = Math.max(0, this.views - 1)
      this.emit('change', this)
    }
  }

  blockAudio(blocked: boolean) {
    if (this.audioBlocked === blocked) return
    this.audioBlocked = blocked
    this.emit('change', this)
  }

  toggleMute() {
    void this.#parts?.media.toggleMute()
  }

  toggleCamera() {
    void this.#parts?.media.toggleCamera()
  }

  async toggleShare() {
    const media = this.#parts?.media
    if (!media) return
    try {
      if (media.state.screen) media.stopScreenShare()
      else await media.startScreenShare()
    } catch {
      this.#notice('Screen sharing was cancelled or is not allowed.')
    }
  }

  /** Stops the call's media and socket (leaving, or another call replacing it). Safe twice. */
  close() {
    if (this.#closed) return
    this.#closed = true
    this.#parts?.close?.()
    this.#parts?.stage.close()
    this.emit('change', this)
  }

  #connection(state: string) {
    this.connection = state
    this.emit('change', this)
  }

  #notice(text: string) {
    this.notices = [...this.notices, text]
    this.emit('change', this)
  }

  #wire(parts: CallParts) {
    this.#parts = parts
    // Closed while the devices were still starting (left at once): stop what was just built.
    if (this.#closed) {
      parts.close?.()
      parts.stage.close()
      return
    }
    const { stage } = parts
    this.tiles = stage.tiles
    this.controls = stage.controls
    stage.on('tiles', (tiles) => {
      this.tiles = tiles
      this.emit('change', this)
    })
    stage.on('speaker', (userId) => {
      this.speakerId = userId
      this.emit('change', this)
    })
    // Also when sharing is stopped from the browser's own "Stop sharing" bar.
    stage.on('controls', (controls) => {
      this.controls = controls
      this.emit('change', this)
    })
    stage.on('ended', (end) => {
      if (this.end) return
      this.end = end
      parts.close?.()
      this.#notice(end.message)
      this.emit('ended', end)
    })
    this.emit('change', this)
  }
}

/**
 * The page's one active call (module-level: it survives htmx swaps, not a reload). Joining the
 * call already held returns it; joining another closes the old one first. An ended or closed
 * call is let go, and everyone listening to `change` (the dock) hears it.
 */
export class CallRegistry extends Emitter<{ change: ActiveCall | null }> {
  #current: ActiveCall | null = null

  constructor(private build: BuildCall) {
    super()
  }

  get current() {
    return this.#current
  }

  join(options: CallOptions) {
    const held = this.#current
    if (held && held.live && held.options.callId === options.callId) return held
    held?.close()
    const call = new ActiveCall(options, this.build)
    this.#current = call
    call.on('ended', () => this.#release(call))
    call.on('change', () => {
      if (!call.live) this.#release(call)
    })
    this.emit('change', call)
    return call
  }

  /** Closes the held call (the person left it). */
  leave() {
    this.#current?.close()
  }

  #release(call: ActiveCall) {
    if (this.#current !== call) return
    this.#current = null
    this.emit('change', null)
  }
}
