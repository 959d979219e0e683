import { Emitter } from './emitter.js'
import { problemFromError, type DeviceName, type DeviceProblem } from './device_problems.js'
import { DeviceRecovery, type Permissions } from './device_recovery.js'

type Events = {
  /** A track was swapped (device switch, screen share on/off): senders must follow. */
  track: { kind: 'audio' | 'video'; track: MediaStreamTrack | null }
  state: { audio: boolean; video: boolean; screen: boolean }
  /** My devices' problems changed (at most one per device), in plain words: see device_problems.ts. */
  problems: DeviceProblem[]
  /** A device came, went or was switched to: the pickers read the list again. */
  devices: null
}

type Devices = Pick<MediaDevices, 'getUserMedia' | 'getDisplayMedia' | 'enumerateDevices'> & Partial<Pick<MediaDevices, 'addEventListener' | 'removeEventListener'>>

export type LocalMediaOptions = { permissions?: Permissions | null }

const KIND = { microphone: 'audio', camera: 'video' } as const
const deviceOf = (kind: string): DeviceName => (kind === 'audio' ? 'microphone' : 'camera')

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
 * The person's own microphone, camera and screen. Falls back gracefully: a camera that fails
 * means audio only, a microphone that fails means joining unheard (camera or receive-only).
 * Every failure, at the start or mid-call, becomes a typed problem in plain words (`problems`
 * event, see device_problems.ts) with the fix: Try again (`retry`), another device
 * (`switchDevice`), or nothing to do (another device took over by itself). A lost device never
 * leaves a frozen frame: its track leaves the connections and the synced state says it is off.
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
  /** The device each track came from: how an unplugged one is recognised in the device list. */
  #deviceIds: Record<DeviceName, string> = { microphone: '', camera: '' }
  /** The devices this call uses (an audio call never asks for the camera). */
  #wanted = new Set<DeviceName>()
  #problems = new Map<DeviceName, DeviceProblem>()
  #recovery: DeviceRecovery
  #stopped = false
  #deviceChanged = () => void (this.#stopped || this.#recovery.reconcile(this.#wanted))

  constructor(private devices: Devices = navigator.mediaDevices, options: LocalMediaOptions = {}) {
    super()
    this.stream = new MediaStream()
    const permissions = options.permissions === undefined ? (globalThis.navigator?.permissions ?? null) : options.permissions
    this.#recovery = new DeviceRecovery(
      {
        trackOf: (device) => this.#trackOf(device),
        deviceIdOf: (device) => this.#deviceIds[device],
        problemOf: (device) => this.#problems.get(device),
        listDevices: () => this.devices.enumerateDevices(),
        capture: (device, deviceId) => this.#capture(device, deviceId),
        install: (device, track) => this.#install(device, track),
        drop: (device) => this.#drop(device),
        report: (problem) => this.#report(problem),
        retry: (device) => this.retry(device),
        changed: () => this.emit('devices', null),
      },
      permissions
    )
    // Undefined on an insecure page: every capture then fails into a problem, not a crash.
    this.devices?.addEventListener?.('devicechange', this.#deviceChanged)
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

  /** What is wrong with my devices now, one problem per device at most. */
  get problems() {
    return [...this.#problems.values()]
  }

  /** The tracks each new connection sends. */
  get tracks() {
    const video = this.#screen ?? this.#camera
    return [this.#audio, video].filter((track): track is MediaStreamTrack => Boolean(track))
  }

  async start(kind: 'audio' | 'video') {
    const wanted: DeviceName[] = kind === 'video' ? ['microphone', 'camera'] : ['microphone']
    for (const device of wanted) this.#wanted.add(device)
    try {
      const constraints = kind === 'video' ? { audio: AUDIO_CONSTRAINTS, video: VIDEO_CONSTRAINTS } : { audio: AUDIO_CONSTRAINTS }
      const stream = await this.devices.getUserMedia(constraints)
      for (const track of stream.getTracks()) this.#install(deviceOf(track.kind), track)
    } catch {
      // One device failing must not keep the other out: ask for each alone, to learn which failed.
      for (const device of wanted) await this.#acquire(device)
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

  /** The Mute button: mutes or unmutes; with no working microphone, tries to get one again. */
  async toggleMute() {
    if (this.#audio) this.setMuted(!this.#muted)
    else await this.retry('microphone')
  }

  /** The Camera button: turns it off or on; with no working camera, tries to get one again. */
  async toggleCamera() {
    if (this.#camera) this.setCameraOff(!this.#cameraOff)
    else await this.retry('camera')
  }

  /** Try again: asks for the (default) device once more; its problem goes when it works. */
  async retry(device: DeviceName) {
    this.#wanted.add(device)
    await this.#acquire(device)
    this.emit('devices', null)
  }

  /** Hides a device's problem; the device stays as it is. */
  dismiss(device: DeviceName) {
    if (this.#problems.delete(device)) this.emit('problems', this.problems)
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

  /**
   * Switches microphone or camera mid-call: the new track replaces the old on every connection.
   * A device that fails becomes a problem (the current one, if any, stays); false then.
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string) {
    const switched = await this.#acquire(deviceOf(kind), deviceId)
    this.emit('devices', null)
    return switched
  }

  async devicesOf(kind: 'audioinput' | 'videoinput') {
    return (await this.devices.enumerateDevices()).filter((device) => device.kind === kind)
  }

  currentDeviceId(kind: 'audio' | 'video') {
    return this.#trackOf(deviceOf(kind)) ? this.#deviceIds[deviceOf(kind)] : ''
  }

  stop() {
    this.#stopped = true
    this.devices?.removeEventListener?.('devicechange', this.#deviceChanged)
    const tracks = [this.#audio, this.#camera, this.#screen]
    this.#audio = this.#camera = this.#screen = null
    for (const track of tracks) track?.stop()
  }

  #trackOf(device: DeviceName) {
    return device === 'microphone' ? this.#audio : this.#camera
  }

  /** One track of `device` (a given one, else the default), or the browser's error. */
  async #capture(device: DeviceName, deviceId?: string) {
    const base = device === 'microphone' ? AUDIO_CONSTRAINTS : VIDEO_CONSTRAINTS
    const constraint = deviceId ? { ...base, deviceId: { exact: deviceId } } : base
    const track = (await this.devices.getUserMedia({ [KIND[device]]: constraint })).getTracks()[0]
    if (!track) throw new Error('no track')
    // The call ended while the browser was starting the device.
    if (this.#stopped) {
      track.stop()
      throw new Error('stopped')
    }
    return track
  }

  /** Captures and installs `device`, clearing its problem; on failure reports why. */
  async #acquire(device: DeviceName, deviceId?: string) {
    try {
      this.#install(device, await this.#capture(device, deviceId))
      this.dismiss(device)
      return true
    } catch (error) {
      this.#report(problemFromError(error, device, Boolean(this.#trackOf(device))))
      return false
    }
  }

  #install(device: DeviceName, track: MediaStreamTrack) {
    const old = this.#trackOf(device)
    if (device === 'microphone') {
      track.enabled = !this.#muted
      this.#audio = track
    } else {
      track.enabled = !this.#cameraOff
      this.#camera = track
    }
    this.#deviceIds[device] = track.getSettings?.().deviceId ?? ''
    track.addEventListener('ended', () => void (this.#stopped || this.#recovery.lost(device, track)), { once: true })
    old?.stop()
    // While sharing, the screen stays on air; the new camera waits for the share to stop.
    if (device === 'microphone' || !this.#screen) {
      this.#replaceInStream(old, track)
      this.emit('track', { kind: KIND[device], track })
    }
    this.#announce()
  }

  /** Takes a lost device's track out: the others see it off (synced state), not a frozen frame. */
  #drop(device: DeviceName) {
    const track = this.#trackOf(device)
    if (!track) return
    if (device === 'microphone') this.#audio = null
    else this.#camera = null
    track.stop()
    if (device === 'microphone' || !this.#screen) {
      this.#replaceInStream(track, null)
      this.emit('track', { kind: KIND[device], track: null })
    }
    this.#announce()
  }

  #report(problem: DeviceProblem) {
    this.#problems.set(problem.device, problem)
    this.emit('problems', this.problems)
  }

  #replaceInStream(old: MediaStreamTrack | null, track: MediaStreamTrack | null) {
    if (old) this.stream.removeTrack(old)
    if (track) this.stream.addTrack(track)
  }

  #announce() {
    this.emit('state', this.state)
  }
}
