import type { StageControls, Tile } from '../calls/call_stage.js'
import type { ActiveCall, CallOptions, CallRegistry } from '../calls/active_call.js'

/**
 * The call room's stage: a view of the page's ActiveCall (resources/js/calls/active_call.ts).
 * It joins the call (or finds it already held, when the person comes back from another page),
 * copies its state into the template and binds each tile's <video> to the call's streams. An
 * htmx swap away from the room destroys this component, not the call: the dock takes over.
 */
export function callMedia(calls: CallRegistry) {
  return (options: CallOptions) => {
    // The live call stays outside Alpine's reactive proxies.
    let call: ActiveCall | null = null
    let detach: Array<() => void> = []

    return {
      tiles: [] as Tile[],
      connection: 'connecting',
      notices: [] as string[],
      speakerId: null as number | null,
      muted: false,
      cameraOff: false,
      sharing: false,
      canShare: typeof navigator.mediaDevices?.getDisplayMedia === 'function',
      microphones: [] as Array<{ id: string; label: string }>,
      cameras: [] as Array<{ id: string; label: string }>,
      microphoneId: '',
      cameraId: '',
      needsAudioUnlock: false,
      finished: false,

      async init() {
        const active = calls.join(options)
        call = active
        detach = [active.on('change', () => this.show(active)), active.attachView()]
        this.show(active)
        await active.ready
        this.show(active)
        // The device pickers are not needed to join: list them while the call connects.
        void this.loadDevices().catch((error) => console.warn('call:devices', error))
      },

      destroy() {
        detach.forEach((stop) => stop())
        detach = []
      },

      show(active: ActiveCall) {
        this.tiles = active.tiles
        this.speakerId = active.speakerId
        this.connection = active.connection
        this.notices = active.notices
        this.finished = Boolean(active.end)
        this.needsAudioUnlock = this.needsAudioUnlock || active.audioBlocked
        this.showControls(active.controls)
      },

      showControls(controls: StageControls) {
        this.muted = controls.muted
        this.cameraOff = controls.cameraOff
        this.sharing = controls.sharing
      },

      /** Binds a tile's <video> to its stream (self: the local preview, always muted). */
      attach(element: HTMLVideoElement, userId: number, self: boolean) {
        const stream = call?.streamOf(userId, self)
        if (!stream || element.srcObject === stream) return
        element.srcObject = stream
        element.muted = self
        element.play().catch(() => {
          if (!self) this.needsAudioUnlock = true
        })
      },

      unlockAudio() {
        document.querySelectorAll<HTMLMediaElement>('.tile video, .dock audio').forEach((media) => void media.play().catch(() => {}))
        this.needsAudioUnlock = false
        call?.blockAudio(false)
      },

      poorConnections() {
        return this.tiles.filter((tile) => !tile.self && tile.quality === 'poor').map((tile) => tile.name)
      },

      // Text helpers for the template: Alpine's CSP build has no template literals or arrow functions.
      poorConnectionText(name: string) {
        return `${name}'s connection is poor`
      },

      toggleMute() {
        call?.toggleMute()
      },

      toggleCamera() {
        call?.toggleCamera()
      },

      async toggleShare() {
        await call?.toggleShare()
      },

      async loadDevices() {
        const media = call?.parts?.media
        if (!media?.devicesOf || !media.currentDeviceId) return
        const label = (device: MediaDeviceInfo, index: number, fallback: string) => ({ id: device.deviceId, label: device.label || `${fallback} ${index + 1}` })
        this.microphones = (await media.devicesOf('audioinput')).map((device, index) => label(device, index, 'Microphone'))
        this.cameras = (await media.devicesOf('videoinput')).map((device, index) => label(device, index, 'Camera'))
        this.microphoneId = media.currentDeviceId('audio')
        this.cameraId = media.currentDeviceId('video')
      },

      async switchDevice(kind: 'audio' | 'video', deviceId: string) {
        try {
          await call?.parts?.media.switchDevice?.(kind, deviceId)
        } catch {
          this.notices.push(`That ${kind === 'audio' ? 'microphone' : 'camera'} could not be started.`)
        }
      },
    }
  }
}
