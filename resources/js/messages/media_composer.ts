import { Emitter } from '../calls/emitter.js'
import { MediaRecording, RecordingUnavailable, extensionFor, type RecordingKind } from './media_recording.js'
import { RecordingTimer } from './recording_timer.js'
import { LevelMeter } from './level_meter.js'
import { MediaUpload, type UploadResult } from './media_upload.js'
import { mediaTooLargeText } from '../../../app/helpers/media_text.js'

/** The longest and largest recording of each kind (the server's `mediaMessageLimits`). */
export type RecordingLimits = { voiceMaxSeconds: number; videoMaxSeconds: number; voiceMaxBytes?: number; videoMaxBytes?: number }

export type ComposerPhase = 'idle' | 'starting' | 'recording' | 'stopping' | 'recorded' | 'uploading'

export type ComposerState = {
  phase: ComposerPhase
  kind: RecordingKind | null
  elapsedMs: number
  maxMs: number
  /** Microphone level 0..1 while recording. */
  level: number
  /** Upload progress 0..1. */
  progress: number
  error: string
  /** The recording to play back before sending (phase `recorded` and `uploading`). */
  recording: Blob | null
  /** The camera while recording a video message, for the preview. */
  stream: MediaStream | null
}

type ComposerEvents = {
  change: ComposerState
  /** The server accepted it: the message's fragment, for the timeline. */
  sent: { id: number; html: string }
}

export type ComposerParts = {
  uploadUrl: string
  limits: RecordingLimits
  /** The request headers the server needs (CSRF, htmx's). */
  headers: () => Record<string, string>
  record?: (kind: RecordingKind) => Promise<MediaRecording>
  timer?: (maxMs: number) => RecordingTimer
  meter?: (stream: MediaStream, onLevel: (level: number) => void) => { stop(): void }
  upload?: () => MediaUpload
}

/**
 * Ends a recording this long before its maximum: the recorder's last chunk lands a little
 * after stop(), and the server refuses anything over the maximum.
 */
export const STOP_MARGIN_MS = 250

const IDLE: ComposerState = { phase: 'idle', kind: null, elapsedMs: 0, maxMs: 0, level: 0, progress: 0, error: '', recording: null, stream: null }

/**
 * The composer's voice and video messages, without the DOM: record (timer, level, auto-stop at
 * the maximum), stop to a recording to play back, then send it (progress, cancellable) or
 * discard it. `cancel()` (Escape) throws away whatever is under way. Nothing reaches the
 * server before Send, and a failed send keeps the recording so it can be sent again.
 */
export class MediaComposer extends Emitter<ComposerEvents> {
  #state: ComposerState = { ...IDLE }
  #recording: MediaRecording | null = null
  #timer: RecordingTimer | null = null
  #meter: { stop(): void } | null = null
  #upload: MediaUpload | null = null
  #parts: Required<ComposerParts>

  constructor(parts: ComposerParts) {
    super()
    this.#parts = {
      record: (kind) => MediaRecording.start(kind),
      timer: (maxMs) => new RecordingTimer(maxMs),
      meter: (stream, onLevel) => new LevelMeter(stream, onLevel),
      upload: () => new MediaUpload(),
      ...parts,
    }
  }

  get state(): ComposerState {
    return this.#state
  }

  /** Opens the devices and starts recording `kind`. */
  async start(kind: RecordingKind) {
    if (this.#state.phase !== 'idle' && this.#state.phase !== 'recorded') return
    this.#reset()
    const maxMs = 1000 * (kind === 'voice' ? this.#parts.limits.voiceMaxSeconds : this.#parts.limits.videoMaxSeconds)
    this.#set({ phase: 'starting', kind, maxMs })
    let recording: MediaRecording
    try {
      recording = await this.#parts.record(kind)
    } catch (error) {
      const message = error instanceof RecordingUnavailable ? error.message : `Your ${kind === 'voice' ? 'microphone' : 'camera'} could not be opened.`
      return this.#set({ ...IDLE, error: message })
    }
    await recording.started
    // Escape pressed while the browser was opening the devices.
    if (this.#phase() !== 'starting') return recording.cancel()
    this.#recording = recording
    const timer = (this.#timer = this.#parts.timer(Math.max(0, maxMs - STOP_MARGIN_MS)))
    timer.on('tick', (elapsedMs) => this.#set({ elapsedMs }))
    timer.on('limit', () => void this.stop())
    this.#meter = this.#parts.meter(recording.stream, (level) => {
      if (this.#state.phase === 'recording') this.#set({ level })
    })
    timer.start()
    this.#set({ phase: 'recording', stream: kind === 'video' ? recording.stream : null })
  }

  /** Stops recording (the Stop button, or the maximum reached): the recording to play back. */
  async stop() {
    const recording = this.#recording
    if (this.#state.phase !== 'recording' || !recording) return
    const elapsedMs = this.#timer!.stop()
    this.#meter?.stop()
    this.#set({ phase: 'stopping', elapsedMs, level: 0, stream: null })
    try {
      const blob = await recording.stop()
      if (this.#phase() !== 'stopping') return
      if (blob.size === 0) return this.#set({ ...IDLE, error: 'Nothing was recorded. Please try again.' })
      this.#set({ phase: 'recorded', recording: blob })
    } catch (error) {
      if (this.#phase() === 'stopping') this.#set({ ...IDLE, error: (error as Error).message })
    } finally {
      this.#recording = null
    }
  }

  /** Sends the recording; on success announces `sent` and goes back to idle. */
  async send() {
    const { phase, recording, kind } = this.#state
    if (phase !== 'recorded' || !recording || !kind) return
    const maxBytes = kind === 'voice' ? this.#parts.limits.voiceMaxBytes : this.#parts.limits.videoMaxBytes
    // Not worth uploading what the server would refuse (413) once it had it all.
    if (maxBytes && recording.size > maxBytes) return this.#set({ error: mediaTooLargeText(kind, maxBytes) })
    const upload = (this.#upload = this.#parts.upload())
    upload.on('progress', ({ loaded, total }) => this.#set({ progress: total > 0 ? loaded / total : 0 }))
    this.#set({ phase: 'uploading', progress: 0, error: '' })
    const form = new FormData()
    form.append('kind', kind)
    form.append('media', recording, `${kind}.${extensionFor(recording.type)}`)
    const result: UploadResult = await upload.send(this.#parts.uploadUrl, form, this.#parts.headers())
    if (this.#upload !== upload) return
    this.#upload = null
    if (result.ok) {
      this.#set({ ...IDLE })
      this.emit('sent', { id: result.id, html: result.html })
    } else if (result.reason === 'aborted') {
      this.#set({ phase: 'recorded', progress: 0 })
    } else {
      // Kept, so Send can try again (after a 429's wait) or Discard can throw it away.
      this.#set({ phase: 'recorded', progress: 0, error: result.message })
    }
  }

  /** Stops an upload under way; the recording stays, to send again or discard. */
  abortUpload() {
    if (this.#state.phase === 'uploading') this.#upload?.abort()
  }

  /** Throws away the recording, or the one being made. */
  discard() {
    this.#reset()
    this.#set({ ...IDLE })
  }

  /** Escape: whatever is under way ends and nothing is kept or sent. */
  cancel() {
    if (this.#state.phase === 'idle') return
    this.discard()
  }

  #reset() {
    this.#timer?.stop()
    this.#meter?.stop()
    this.#recording?.cancel()
    const upload = this.#upload
    this.#upload = null
    upload?.abort()
    this.#timer = this.#meter = this.#recording = null
  }

  /** Read afresh after an await (TypeScript would keep the phase narrowed from before it). */
  #phase(): ComposerPhase {
    return this.#state.phase
  }

  #set(changes: Partial<ComposerState>) {
    this.#state = { ...this.#state, ...changes }
    this.emit('change', this.#state)
  }
}
