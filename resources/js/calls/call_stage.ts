import { Emitter } from './emitter.js'
import { QualityMeter, type Quality } from './quality_meter.js'
import { SpeakerDetector } from './speaker_detector.js'
import type { LocalMedia } from './local_media.js'
import type { Mesh, Participant } from './mesh.js'
import type { SignalingClient } from './signaling_client.js'
import { CloseCode } from '../../../app/signaling/protocol.js'
import { initials } from '../../../app/helpers/display_text.js'

/** One person's tile, as the call room shows it. */
export type Tile = {
  userId: number
  name: string
  initials: string
  self: boolean
  audio: boolean
  video: boolean
  screen: boolean
  peerState: string
  quality: Quality['level']
  qualityText: string
}

/** The state of my own media controls, read from LocalMedia on each of its `state` events. */
export type StageControls = { muted: boolean; cameraOff: boolean; sharing: boolean }

/**
 * The stage is over. `callEnded` is true when the server said the call itself ended (its
 * `call.ended` frame, with the end reason); false when only this page's socket was refused or
 * taken over (a final close code, explained in `message`).
 */
export type StageEnd = { message: string; callEnded: boolean; reason: string | null }

type Events = {
  tiles: Tile[]
  speaker: number | null
  controls: StageControls
  ended: StageEnd
}

/** What the stage needs of a quality meter (QualityMeter; a fake in the unit tests). */
type Meter = Pick<QualityMeter, 'sample'>
/** What the stage needs of the active-speaker detector. */
type Speakers = Pick<SpeakerDetector, 'on' | 'watch' | 'unwatch' | 'close'>

export type CallStageOptions = {
  media: Pick<LocalMedia, 'on' | 'state' | 'muted' | 'cameraOff' | 'stream' | 'stop'>
  signaling: Pick<SignalingClient, 'on' | 'close'>
  mesh: Pick<Mesh, 'on' | 'participants' | 'session' | 'close'>
  speakers?: Speakers
  createMeter?: (pc: RTCPeerConnection) => Meter
}

/** Why a final close code ended this page, in the person's words. */
export const CLOSE_MESSAGES: Record<number, string> = {
  [CloseCode.Replaced]: 'You opened this call in another tab or device; this page is no longer connected.',
  [CloseCode.NotParticipant]: 'You are not in this call any more.',
  [CloseCode.NoSuchCall]: 'This call does not exist.',
  [CloseCode.CallFull]: 'This call is full.',
  [CloseCode.CallEnded]: 'The call has ended.',
  [CloseCode.LeftChannel]: 'You left this channel, so you left its call.',
  [CloseCode.SessionRevoked]: 'You were signed out, so this page left the call. Sign in again to rejoin.',
}

const UNKNOWN: Quality = { level: 'unknown', rttMs: null, lossPercent: null, inboundKbps: null }

/**
 * The call room's media, without the DOM: turns the mesh's participants into tiles (with each
 * remote stream, its connection quality and the active speaker), follows my own controls from
 * LocalMedia's events, and ends once. Alpine (resources/js/alpine/call_media.ts) only binds the
 * events to the page.
 *
 * How an ended call reaches a joined page, and which signal acts:
 * 1. the call socket's `call.ended` frame (Mesh `ended`): ends the stage, with `callEnded`;
 * 2. the socket's 4410 close that the server sends right after the frame: a no-op, because
 *    ending closes the socket first, so SignalingClient never reports it. It ends the stage only
 *    when no frame came before it (the page reconnected to a call that ended meanwhile);
 * 3. the channel's SSE `call.ended`: not seen here. callRoom (alpine/call_room.ts) ends its
 *    status line on whichever of that event and our `call-ended` comes first; a `call-ended`
 *    after SSE does nothing, an SSE event after `call-ended` only brings the server's end time.
 */
export class CallStage extends Emitter<Events> {
  #streams = new Map<number, MediaStream>()
  #meters = new Map<number, { pc: RTCPeerConnection; meter: Meter }>()
  #quality = new Map<number, Quality>()
  #tiles: Tile[] = []
  #speakers: Speakers
  #createMeter: (pc: RTCPeerConnection) => Meter
  #unsubscribe: Array<() => void>
  #timer: ReturnType<typeof setInterval> | null = null
  #ended = false

  constructor(private options: CallStageOptions) {
    super()
    const { media, signaling, mesh } = options
    this.#speakers = options.speakers ?? new SpeakerDetector()
    this.#createMeter = options.createMeter ?? ((pc) => new QualityMeter(pc))
    this.#unsubscribe = [
      mesh.on('change', (participants) => this.#render(participants)),
      mesh.on('ended', (frame) => this.#end({ message: 'The call has ended.', callEnded: true, reason: frame.reason })),
      signaling.on('closed', ({ code, reason }) => this.#end({ message: CLOSE_MESSAGES[code] ?? reason, callEnded: false, reason: null })),
      media.on('state', () => this.emit('controls', this.controls)),
      this.#speakers.on('speaker', (userId) => this.emit('speaker', userId)),
    ]
  }

  /** The tiles as last emitted. */
  get tiles() {
    return this.#tiles
  }

  /** My controls as LocalMedia has them now: there is no second copy to fall out of step. */
  get controls(): StageControls {
    const { media } = this.options
    return { muted: media.muted, cameraOff: media.cameraOff, sharing: media.state.screen }
  }

  get ended() {
    return this.#ended
  }

  /** The stream a tile's <video> plays: my own preview for `self`, else the person's stream. */
  streamOf(userId: number, self: boolean) {
    return self ? this.options.media.stream : this.#streams.get(userId)
  }

  /** Samples every connection's quality every `everyMs` until the stage ends. */
  measureEvery(everyMs: number) {
    if (this.#timer || this.#ended) return
    this.#timer = setInterval(() => void this.measure(), everyMs)
  }

  /** Samples every connection's quality once, then re-renders the tiles with it. */
  async measure() {
    for (const [userId, { meter }] of this.#meters) {
      this.#quality.set(userId, await meter.sample().catch(() => UNKNOWN))
    }
    if (!this.#ended) this.#render(this.options.mesh.participants)
  }

  /** Stops everything: connections, socket, speaker watching, my devices. Safe to call twice. */
  close() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.options.mesh.close()
    this.options.signaling.close()
    this.#speakers.close()
    this.options.media.stop()
  }

  #end(end: StageEnd) {
    if (this.#ended) return
    this.#ended = true
    this.close()
    this.#unsubscribe.forEach((unsubscribe) => unsubscribe())
    this.emit('ended', end)
  }

  /** Reconciles streams, meters and speaker watching with the participant list, then emits the tiles. */
  #render(participants: Participant[]) {
    for (const participant of participants) {
      if (participant.stream) this.#streams.set(participant.userId, participant.stream)
      else this.#streams.delete(participant.userId)
      this.#speakers.watch(participant.userId, participant.stream)
      // A reconnect from a new page brings a new connection: measure that one.
      const session = this.options.mesh.session(participant.userId)
      if (session && this.#meters.get(participant.userId)?.pc !== session.pc) {
        this.#meters.set(participant.userId, { pc: session.pc, meter: this.#createMeter(session.pc) })
      }
    }
    const present = new Set(participants.map((participant) => participant.userId))
    for (const userId of [...this.#meters.keys()]) if (!present.has(userId)) this.#meters.delete(userId)
    for (const userId of [...this.#streams.keys()]) {
      if (!present.has(userId)) {
        this.#streams.delete(userId)
        this.#speakers.unwatch(userId)
      }
    }
    this.#tiles = participants.map((participant) => {
      const measured = this.#quality.get(participant.userId)
      return {
        userId: participant.userId,
        name: participant.name,
        initials: initials(participant.name),
        self: participant.peerState === 'self',
        audio: participant.audio,
        video: participant.video,
        screen: participant.screen,
        peerState: participant.peerState,
        quality: measured?.level ?? 'unknown',
        qualityText: describeQuality(measured),
      }
    })
    this.emit('tiles', this.#tiles)
  }
}

/** "Connection good: round trip 42 ms, loss 0.0%, 812 kbit/s in", for the tile's quality dot. */
export function describeQuality(quality: Quality | undefined) {
  if (!quality || quality.level === 'unknown') return 'Measuring connection…'
  const parts = []
  if (quality.rttMs !== null) parts.push(`round trip ${Math.round(quality.rttMs)} ms`)
  if (quality.lossPercent !== null) parts.push(`loss ${quality.lossPercent.toFixed(1)}%`)
  if (quality.inboundKbps !== null) parts.push(`${Math.round(quality.inboundKbps)} kbit/s in`)
  return `Connection ${quality.level}: ${parts.join(', ')}`
}
