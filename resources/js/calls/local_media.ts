import { Emitter } from './emitter.js'

type Events = {
  /** A track was swapped (device switch, screen share on/off): senders must follow. */
  track: { kind: 'audio' | 'video'; track: MediaStreamTrack | null }
  /** Something the person should know about their devices, in plain words. */
  notice: string
  state: { audio: boolean; video: boolean; screen: boolean }
}

type Devices = Pick<MediaDevices, 'getUserMedia' | 'getDisplayMedia' | 'enumerateDevices'>

/** Speech-friendly capture: echo cancellation, noise suppression, automatic gain. */
export const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
}

/** Video is capped at 720p: a mesh sends it to everyone, so more would be wasted upload. */
export const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280, max: 1280 },
  height: { ideal: 720, max: 720 },
  frameRate: { ideal: 30, max: 30 },
}

/**
 * The person's own microphone, camera and screen. Falls back gracefully: no camera (or denied)
 * means audio only, no microphone either means receive-only, each with a plain notice.
 * Mute and camera-off disable the track (no renegotiation); device switches and screen sharing
 * swap tracks, announced through the `track` event so every connection can `replaceTrack`.
 */
export class LocalMedia extends Emitter<Events> {
  readonly stream: MediaStream
  #audio: MediaStreamTrack | null = null
  #camera: MediaStreamTrack | null = null
  #screen: MediaStreamTrack | null = null
  #muted = false
  #cameraOff = false

  constructor(private devices: Devices = navigator.mediaDevices) {
    super()
    this.stream = new MediaStream()
  }

  get state() {
    return {
      audio: Boolean(this.#audio) && !this.#muted,
      video: Boolean(this.#screen || (this.#camera && !this.#cameraOff)),
      screen: Boolean(this.#screen),
    }
  }

  get hasMicrophone() {
    return Boolean(this.#audio)
  }

  get hasCamera() {
    return Boolean(this.#camera)
  }

  /** Whether I muted myself (the Mute button's state). */
  get muted() {
    return this.#muted
  }

  /** Whether my camera is off: turned off, or there is no camera at all. */
  get cameraOff() {
    return this.#cameraOff || !this.#camera
  }

  /** The tracks each new connection sends. */
  get tracks() {
    const video = this.#screen ?? this.#camera
    return [this.#audio, video].filter((track): track is MediaStreamTrack => Boolean(track))
  }

  async start(kind: 'audio' | 'video') {
    if (kind === 'video') {
      try {
        const stream = await this.devices.getUserMedia({ audio: AUDIO_CONSTRAINTS, video: VIDEO_CONSTRAINTS })
        this.#adopt(stream)
        return this.#announce()
      } catch (error) {
        this.emit('notice', `${describe(error, 'camera')} You are joining with audio only.`)
      }
    }
    try {
      this.#adopt(await this.devices.getUserMedia({ audio: AUDIO_CONSTRAINTS }))
    } catch (error) {
      this.emit('notice', `${describe(error, 'microphone')} You can listen and watch, but others will not hear you.`)
    }
    this.#announce()
  }

  setMuted(muted: boolean) {
    this.#muted = muted
    if (this.#audio) this.#audio.enabled = !muted
    this.#announce()
  }

  setCameraOff(off: boolean) {
    this.#cameraOff = off
    if (this.#camera) this.#camera.enabled = !off
    this.#announce()
  }

  /** Shares the screen in place of the camera; the camera comes back when sharing stops. */
  async startScreenShare() {
    if (this.#screen) return
    const stream = await this.devices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false })
    const track = stream.getVideoTracks()[0]
    if (!track) return
    this.#screen = track
    // Stopped from the browser's own "Stop sharing" bar, too.
    track.addEventListener('ended', () => this.stopScreenShare())
    this.#replaceInStream(this.#camera, track)
    this.emit('track', { kind: 'video', track })
    this.#announce()
  }

  stopScreenShare() {
    const screen = this.#screen
    if (!screen) return
    this.#screen = null
    screen.stop()
    this.#replaceInStream(screen, this.#camera)
    this.emit('track', { kind: 'video', track: this.#camera })
    this.#announce()
  }

  /** Switches microphone or camera mid-call: the new track replaces the old on every connection. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string) {
    const constraints =
      kind === 'audio'
        ? { audio: { ...AUDIO_CONSTRAINTS, deviceId: { exact: deviceId } } }
        : { video: { ...VIDEO_CONSTRAINTS, deviceId: { exact: deviceId } } }
    const track = (await this.devices.getUserMedia(constraints)).getTracks()[0]
    if (!track) return
    const old = kind === 'audio' ? this.#audio : this.#camera
    if (kind === 'audio') {
      track.enabled = !this.#muted
      this.#audio = track
    } else {
      track.enabled = !this.#cameraOff
      this.#camera = track
    }
    old?.stop()
    // While sharing, the screen stays on air; the new camera waits for the share to stop.
    if (kind === 'audio' || !this.#screen) {
      this.#replaceInStream(old, track)
      this.emit('track', { kind, track })
    }
  }

  async devicesOf(kind: 'audioinput' | 'videoinput') {
    return (await this.devices.enumerateDevices()).filter((device) => device.kind === kind)
  }

  currentDeviceId(kind: 'audio' | 'video') {
    const track = kind === 'audio' ? this.#audio : this.#camera
    return track?.getSettings().deviceId ?? ''
  }

  stop() {
    for (const track of [this.#audio, this.#camera, this.#screen]) track?.stop()
    this.#audio = this.#camera = this.#screen = null
  }

  #adopt(stream: MediaStream) {
    this.#audio = stream.getAudioTracks()[0] ?? null
    this.#camera = stream.getVideoTracks()[0] ?? null
    for (const track of stream.getTracks()) this.stream.addTrack(track)
  }

  #replaceInStream(old: MediaStreamTrack | null, track: MediaStreamTrack | null) {
    if (old) this.stream.removeTrack(old)
    if (track) this.stream.addTrack(track)
  }

  #announce() {
    this.emit('state', this.state)
  }
}

function describe(error: unknown, device: 'camera' | 'microphone') {
  const name = (error as { name?: string })?.name
  if (name === 'NotAllowedError' || name === 'SecurityError') return `Access to your ${device} was denied.`
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${device} was found.`
  if (name === 'NotReadableError') return `Your ${device} is in use by another application.`
  return `Your ${device} could not be started.`
}
