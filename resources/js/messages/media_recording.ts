/** A voice message records the microphone; a video message the camera and microphone. */
export type RecordingKind = 'voice' | 'video'

/**
 * What each kind may be recorded as, best first. Chromium takes the webm ones (it records no
 * ogg), Firefox ogg for voice and webm for video. No mp4 (Safari's only choice): the server
 * refuses it for now (docs/media_messages.md, Formats). Ogg before webm
 * for voice: Chromium fails to play Firefox's voice WebM once loaded with preload="metadata"
 * (player_recovery.ts), and plays its Ogg. The server sniffs the bytes, so these only have to
 * be what the browser really writes.
 */
export const RECORDING_TYPES: Record<RecordingKind, string[]> = {
  voice: ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/ogg', 'audio/webm'],
  video: ['video/webm;codecs=vp8,opus', 'video/webm'],
}

/** The first type of `kind` this browser's MediaRecorder can write, or null. */
export function chooseRecordingType(kind: RecordingKind, isTypeSupported: (type: string) => boolean) {
  return RECORDING_TYPES[kind].find((type) => isTypeSupported(type)) ?? null
}

/** The file extension the upload is named with (the server goes by the bytes, not this). */
export function extensionFor(type: string) {
  if (type.includes('ogg')) return 'ogg'
  if (type.includes('mp4')) return 'mp4'
  return 'webm'
}

/** The part of MediaRecorder a recording uses. */
export type RecorderLike = {
  readonly state: string
  ondataavailable: ((event: { data: Blob }) => void) | null
  onstart: (() => void) | null
  onstop: (() => void) | null
  onerror: ((event: unknown) => void) | null
  start(timeslice?: number): void
  stop(): void
}

export type RecordingDevices = {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>
  isTypeSupported(type: string): boolean
  createRecorder(stream: MediaStream, options: { mimeType: string }): RecorderLike
}

/** The browser's own MediaRecorder and getUserMedia. */
export function browserRecordingDevices(): RecordingDevices {
  return {
    getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
    isTypeSupported: (type) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type),
    createRecorder: (stream, options) => new MediaRecorder(stream, options) as unknown as RecorderLike,
  }
}

/** Refused by the browser before anything was recorded, with the words to show. */
export class RecordingUnavailable extends Error {}

const CONSTRAINTS: Record<RecordingKind, MediaStreamConstraints> = {
  voice: { audio: true, video: false },
  video: { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } },
}

/**
 * One recording from the microphone (and camera): opens the devices, records them with the
 * type chosen up front, and hands back the Blob with that type. The type is kept because
 * Firefox leaves `recorder.mimeType` empty once stopped. `stop()` and `cancel()` release the
 * devices; either is safe to call twice.
 */
export class MediaRecording {
  #chunks: Blob[] = []
  #stopped: Promise<Blob>
  #done = false
  /**
   * Resolves once the recorder really records: under load Firefox starts most of a second after
   * start(), and a timer counting from start() would then show more than the file holds.
   */
  readonly started: Promise<void>

  private constructor(
    readonly kind: RecordingKind,
    readonly stream: MediaStream,
    readonly type: string,
    private recorder: RecorderLike
  ) {
    this.#stopped = new Promise((resolve, reject) => {
      recorder.ondataavailable = (event) => {
        if (event.data.size > 0) this.#chunks.push(event.data)
      }
      recorder.onstop = () => resolve(new Blob(this.#chunks, { type: this.type }))
      recorder.onerror = () => reject(new RecordingUnavailable('The recording stopped because of an error. Please try again.'))
    })
    // Not left unhandled when the recording is cancelled (nobody awaits it then).
    this.#stopped.catch(() => {})
    this.started = new Promise((resolve) => {
      recorder.onstart = () => resolve()
      // Never left waiting: a recorder that fails or is stopped first has "started" too.
      void this.#stopped.then(() => resolve(), () => resolve())
    })
    // One-second chunks: a recorder that fails midway has still handed over most of it.
    recorder.start(1000)
  }

  /** Opens the devices and starts recording; throws RecordingUnavailable with what to tell the person. */
  static async start(kind: RecordingKind, devices: RecordingDevices = browserRecordingDevices()) {
    const type = chooseRecordingType(kind, devices.isTypeSupported)
    if (!type) throw new RecordingUnavailable(`This browser cannot record ${kind} messages.`)
    let stream: MediaStream
    try {
      stream = await devices.getUserMedia(CONSTRAINTS[kind])
    } catch (error) {
      throw new RecordingUnavailable(deviceRefusal(kind, error))
    }
    try {
      return new MediaRecording(kind, stream, type, devices.createRecorder(stream, { mimeType: type }))
    } catch {
      stopTracks(stream)
      throw new RecordingUnavailable(`This browser cannot record ${kind} messages.`)
    }
  }

  /** Ends the recording: the Blob of everything recorded, typed with the chosen type. */
  stop(): Promise<Blob> {
    this.#finish()
    return this.#stopped
  }

  /** Throws it away (Escape, Discard): the devices are released, nothing is kept. */
  cancel() {
    this.#finish()
    this.#chunks = []
  }

  #finish() {
    if (this.#done) return
    this.#done = true
    if (this.recorder.state !== 'inactive') this.recorder.stop()
    stopTracks(this.stream)
  }
}

function stopTracks(stream: MediaStream) {
  stream.getTracks().forEach((track) => track.stop())
}

/** getUserMedia's refusals in words. */
function deviceRefusal(kind: RecordingKind, error: unknown) {
  const devices = kind === 'voice' ? 'microphone' : 'camera and microphone'
  const name = (error as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError') return `Confab may not use your ${devices}: allow it in the browser's site settings.`
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${devices} found.`
  if (name === 'NotReadableError') return `Your ${devices} is in use by another application.`
  return `Your ${devices} could not be opened.`
}
