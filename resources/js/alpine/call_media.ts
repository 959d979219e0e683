import { SignalingClient } from '../calls/signaling_client.js'
import { LocalMedia } from '../calls/local_media.js'
import { Mesh, type Participant } from '../calls/mesh.js'
import { SpeakerDetector } from '../calls/speaker_detector.js'
import { QualityMeter, type Quality } from '../calls/quality_meter.js'
import { CloseCode } from '../../../app/signaling/protocol.js'

type Tile = {
  userId: number
  name: string
  self: boolean
  audio: boolean
  video: boolean
  screen: boolean
  peerState: string
  quality: Quality['level']
  qualityText: string
}

const CLOSE_MESSAGES: Record<number, string> = {
  [CloseCode.Replaced]: 'You opened this call in another tab or device; this page is no longer connected.',
  [CloseCode.NotParticipant]: 'You are not in this call any more.',
  [CloseCode.NoSuchCall]: 'This call does not exist.',
  [CloseCode.CallFull]: 'This call is full.',
  [CloseCode.CallEnded]: 'The call has ended.',
  [CloseCode.LeftChannel]: 'You left this channel, so you left its call.',
}

/**
 * The call room's media: wires LocalMedia, SignalingClient and Mesh (resources/js/calls) to the
 * tiles and controls. DOM wiring only; the logic lives in those classes.
 */
export function callMedia() {
  return (options: { callId: number; kind: 'audio' | 'video' }) => {
    // Streams and live objects stay outside Alpine's reactive proxies.
    const streams = new Map<number, MediaStream>()
    const meters = new Map<number, { pc: RTCPeerConnection; meter: QualityMeter }>()
    const quality = new Map<number, Quality>()
    let mesh: Mesh | null = null
    let signaling: SignalingClient | null = null
    let media: LocalMedia | null = null
    let speakers: SpeakerDetector | null = null
    let qualityTimer: ReturnType<typeof setInterval> | null = null

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
        media = new LocalMedia()
        media.on('notice', (notice) => this.notices.push(notice))
        // Also when sharing is stopped from the browser's own "Stop sharing" bar.
        media.on('state', (state) => (this.sharing = state.screen))
        await media.start(options.kind)
        this.cameraOff = !media.hasCamera

        const peerId = crypto.randomUUID()
        const origin = window.location.origin.replace(/^http/, 'ws')
        signaling = new SignalingClient({ url: `${origin}/calls/${options.callId}/signal?peer=${peerId}` })
        mesh = new Mesh({
          signaling,
          media,
          createPeerConnection: (config) => new RTCPeerConnection(config),
          log: (namespace, ...args) => {
            if (localStorage.getItem('debug')?.includes(namespace)) console.debug(namespace, ...args)
          },
        })
        speakers = new SpeakerDetector()
        speakers.on('speaker', (id) => (this.speakerId = id))
        mesh.on('change', (participants) => this.render(participants))
        mesh.on('ended', (frame) => {
          // The room's status line learns it here too, not only from the channel's SSE stream.
          document.body.dispatchEvent(new CustomEvent('call-ended', { detail: { reason: frame.reason } }))
          this.finish('The call has ended.')
        })
        signaling.on('state', (state) => (this.connection = state))
        signaling.on('closed', ({ code, reason }) => this.finish(CLOSE_MESSAGES[code] ?? reason))
        signaling.on('error', (frame) => console.warn('call:signal', frame.code, frame.message))
        signaling.connect()
        // The device pickers are not needed to join: list them while the call connects.
        void this.loadDevices().catch((error) => console.warn('call:devices', error))
        qualityTimer = setInterval(() => void this.measure(), 2000)

        // A handle for debugging in the console (and for the browser tests' getStats checks).
        ;(window as any).confabCall = { mesh, signaling, media }
        window.addEventListener('pagehide', () => this.destroy())
      },

      destroy() {
        if (qualityTimer) clearInterval(qualityTimer)
        mesh?.close()
        signaling?.close()
        speakers?.close()
        media?.stop()
      },

      finish(message: string) {
        if (this.finished) return
        this.finished = true
        this.notices.push(message)
        this.destroy()
        document.body.dispatchEvent(new CustomEvent('call-changed'))
      },

      render(participants: Participant[]) {
        for (const participant of participants) {
          if (participant.stream) streams.set(participant.userId, participant.stream)
          else streams.delete(participant.userId)
          speakers?.watch(participant.userId, participant.stream)
          // A reconnect from a new page brings a new connection: measure that one.
          const session = mesh?.session(participant.userId)
          if (session && meters.get(participant.userId)?.pc !== session.pc) {
            meters.set(participant.userId, { pc: session.pc, meter: new QualityMeter(session.pc) })
          }
        }
        const present = new Set(participants.map((participant) => participant.userId))
        for (const id of [...meters.keys()]) if (!present.has(id)) meters.delete(id)
        for (const id of [...streams.keys()]) {
          if (!present.has(id)) {
            streams.delete(id)
            speakers?.unwatch(id)
          }
        }
        this.tiles = participants.map((participant) => {
          const measured = quality.get(participant.userId)
          return {
            userId: participant.userId,
            name: participant.name,
            self: participant.peerState === 'self',
            audio: participant.audio,
            video: participant.video,
            screen: participant.screen,
            peerState: participant.peerState,
            quality: measured?.level ?? 'unknown',
            qualityText: describeQuality(measured),
          }
        })
      },

      async measure() {
        for (const [id, { meter }] of meters) {
          quality.set(id, await meter.sample().catch(() => ({ level: 'unknown', rttMs: null, lossPercent: null, inboundKbps: null }) as Quality))
        }
        if (mesh) this.render(mesh.participants)
      },

      /** Binds a tile's <video> to its stream (self: the local preview, always muted). */
      attach(element: HTMLVideoElement, userId: number, self: boolean) {
        const stream = self ? media?.stream : streams.get(userId)
        if (!stream || element.srcObject === stream) return
        element.srcObject = stream
        element.muted = self
        element.play().catch(() => {
          if (!self) this.needsAudioUnlock = true
        })
      },

      unlockAudio() {
        document.querySelectorAll<HTMLVideoElement>('.tile video').forEach((video) => void video.play().catch(() => {}))
        this.needsAudioUnlock = false
      },

      tileOf(userId: number) {
        return this.tiles.find((tile) => tile.userId === userId)
      },

      poorConnections() {
        return this.tiles.filter((tile) => !tile.self && tile.quality === 'poor').map((tile) => tile.name)
      },

      // Text helpers for the template: Alpine's CSP build has no template literals or arrow functions.
      poorConnectionText(name: string) {
        return `${name}'s connection is poor`
      },

      initialsOf(name: string) {
        return name
          .split(' ')
          .map((part) => part[0])
          .slice(0, 2)
          .join('')
      },

      toggleMute() {
        this.muted = !this.muted
        media?.setMuted(this.muted)
      },

      toggleCamera() {
        this.cameraOff = !this.cameraOff
        media?.setCameraOff(this.cameraOff)
      },

      async toggleShare() {
        if (!media) return
        try {
          if (media.state.screen) media.stopScreenShare()
          else await media.startScreenShare()
        } catch {
          this.notices.push('Screen sharing was cancelled or is not allowed.')
        }
        this.sharing = media.state.screen
      },

      async loadDevices() {
        if (!media) return
        const label = (device: MediaDeviceInfo, index: number, fallback: string) => ({ id: device.deviceId, label: device.label || `${fallback} ${index + 1}` })
        this.microphones = (await media.devicesOf('audioinput')).map((device, index) => label(device, index, 'Microphone'))
        this.cameras = (await media.devicesOf('videoinput')).map((device, index) => label(device, index, 'Camera'))
        this.microphoneId = media.currentDeviceId('audio')
        this.cameraId = media.currentDeviceId('video')
      },

      async switchDevice(kind: 'audio' | 'video', deviceId: string) {
        try {
          await media?.switchDevice(kind, deviceId)
        } catch {
          this.notices.push(`That ${kind === 'audio' ? 'microphone' : 'camera'} could not be started.`)
        }
      },
    }
  }
}

function describeQuality(quality: Quality | undefined) {
  if (!quality || quality.level === 'unknown') return 'Measuring connection…'
  const parts = []
  if (quality.rttMs !== null) parts.push(`round trip ${Math.round(quality.rttMs)} ms`)
  if (quality.lossPercent !== null) parts.push(`loss ${quality.lossPercent.toFixed(1)}%`)
  if (quality.inboundKbps !== null) parts.push(`${Math.round(quality.inboundKbps)} kbit/s in`)
  return `Connection ${quality.level}: ${parts.join(', ')}`
}
