import { SignalingClient } from '../calls/signaling_client.js'
import { LocalMedia } from '../calls/local_media.js'
import { Mesh } from '../calls/mesh.js'
import { CallStage, type StageControls, type StageEnd, type Tile } from '../calls/call_stage.js'
import { dispatchCallEvent } from '../calls/call_events.js'
import { CallQualityReporter } from '../calls/call_quality_reporter.js'
import { takeCallClick } from '../calls/join_clock.js'
import { requestJson } from '../http.js'
import { stageLayoutWiring } from './stage_layout_wiring.js'
import { callDevices } from './call_devices.js'
import { Hands, type HandsState } from '../calls/hands.js'
import { Shortcuts } from '../calls/shortcuts.js'
import { showHandsInList, closeOpenMenus } from './call_hands.js'
import { REACTIONS, type Reaction } from '../../../app/signaling/protocol.js'

/**
 * The call room's media: builds LocalMedia, SignalingClient and Mesh, hands them to a CallStage
 * (resources/js/calls/call_stage.ts) and binds the stage's events to the tiles and controls.
 * DOM wiring only: what a tile shows and when the call is over is decided by the stage.
 */
export function callMedia() {
  return (options: { kind: 'audio' | 'video'; signalPath: string; qualityReportsUrl: string }) => {
    // Live objects stay outside Alpine's reactive proxies.
    let media: LocalMedia | null = null
    let stage: CallStage | null = null
    let reporter: CallQualityReporter | null = null
    let hands: Hands | null = null
    let onKey: ((event: KeyboardEvent) => void) | null = null
    let onSwap: (() => void) | null = null

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
      ...stageLayoutWiring(),
      ...callDevices(() => media),
      // Raised hands and reactions (resources/js/calls/hands.ts), and what the reaction picker offers.
      handState: { raised: [], reactions: [] } as HandsState,
      selfId: 0,
      isInitiator: false,
      reactionChoices: [...REACTIONS] as Reaction[],

      async init() {
        // Time to connect counts from the Accept/Join click on the previous page, else from
        // this page's load (a reload, a link).
        reporter = new CallQualityReporter({
          joinedAt: takeCallClick(sessionStorage) ?? Math.round(performance.timeOrigin),
          send: (report) => requestJson('POST', options.qualityReportsUrl, report),
        })
        media = new LocalMedia()
        this.watchDevices(media)
        media.on('devices', () => void this.loadDevices().catch((error) => console.warn('call:devices', error)))
        await media.start(options.kind)

        const peerId = crypto.randomUUID()
        const origin = window.location.origin.replace(/^http/, 'ws')
        const signaling = new SignalingClient({ url: `${origin}${options.signalPath}?peer=${peerId}` })
        const mesh = new Mesh({
          signaling,
          media,
          createPeerConnection: (config) => new RTCPeerConnection(config),
          log: (namespace, ...args) => {
            if (localStorage.getItem('debug')?.includes(namespace)) console.debug(namespace, ...args)
          },
        })
        stage = new CallStage({ media, signaling, mesh })
        this.wireHands(signaling)
        stage.on('tiles', (tiles) => {
          this.tiles = tiles
          this.relayout()
        })
        stage.on('speaker', (userId) => {
          this.speakerId = userId
          this.speakerChanged(userId)
        })
        this.watchStage((this as any).$refs.area)
        // Also when sharing is stopped from the browser's own "Stop sharing" bar.
        stage.on('controls', (controls) => this.showControls(controls))
        stage.on('ended', (end) => this.finish(end))
        signaling.on('welcome', (frame) => reporter?.joined(frame))
        mesh.on('change', () => reporter?.track(mesh.sessions.map((session) => ({ userId: session.remoteUserId, source: session.pc }))))
        this.showControls(stage.controls)
        signaling.on('state', (state) => (this.connection = state))
        signaling.on('error', (frame) => console.warn('call:signal', frame.code, frame.message))
        signaling.connect()
        // The device pickers are not needed to join: list them while the call connects.
        void this.loadDevices().catch((error) => console.warn('call:devices', error))
        stage.measureEvery(2000)
        reporter.start()

        // A handle for debugging in the console (and for the browser tests' getStats checks).
        ;(window as any).confabCall = { mesh, signaling, media }
        window.addEventListener('pagehide', () => this.destroy())
      },

      destroy() {
        this.unwatchStage()
        if (onKey) window.removeEventListener('keydown', onKey)
        if (onSwap) document.body.removeEventListener('htmx:afterSwap', onSwap)
        reporter?.close()
        stage?.close()
      },

      /** Hands, reactions and the keyboard shortcuts (docs/call_room.md). */
      wireHands(signaling: SignalingClient) {
        hands = new Hands({ signaling })
        signaling.on('welcome', (frame) => {
          this.selfId = frame.self.userId
          this.isInitiator = frame.call.initiatorId === frame.self.userId
        })
        hands.on('change', (state) => {
          this.handState = state
          showHandsInList(state)
        })
        // The people list is swapped in by htmx on every call change: order it again.
        onSwap = () => showHandsInList(this.handState)
        document.body.addEventListener('htmx:afterSwap', onSwap)
        const shortcuts = new Shortcuts({
          mute: () => this.toggleMute(),
          camera: options.kind === 'video' ? () => this.toggleCamera() : undefined,
          hand: () => this.toggleHand(),
          escape: () => closeOpenMenus(document),
        })
        onKey = (event) => void shortcuts.handle(event)
        window.addEventListener('keydown', onKey)
      },

      toggleHand() {
        hands?.toggleMine()
      },

      lowerHand(userId: number) {
        hands?.lower(userId)
      },

      react(emoji: Reaction) {
        hands?.react(emoji)
      },

      handRaised(userId: number) {
        return this.handState.raised.some((hand) => hand.userId === userId)
      },

      myHandRaised() {
        return this.handRaised(this.selfId)
      },

      reactionsOf(userId: number) {
        return this.handState.reactions.filter((reaction) => reaction.userId === userId)
      },

      handLabel(name: string) {
        return `${name} raised a hand`
      },

      lowerHandLabel(name: string) {
        return `Lower ${name}'s hand`
      },

      reactLabel(emoji: string) {
        return `React with ${emoji}`
      },

      reactedLabel(name: string, emoji: string) {
        return `${name} reacted ${emoji}`
      },

      showControls(controls: StageControls) {
        this.muted = controls.muted
        this.cameraOff = controls.cameraOff
        this.sharing = controls.sharing
      },

      finish(end: StageEnd) {
        if (this.finished) return
        this.finished = true
        reporter?.close()
        this.notices.push(end.message)
        // The room's status line learns it here too, not only from the channel's SSE stream.
        if (end.callEnded) dispatchCallEvent('call-ended', { reason: end.reason })
        dispatchCallEvent('call-changed')
      },

      /** Binds a tile's <video> to its stream (self: the local preview, always muted). */
      attach(element: HTMLVideoElement, userId: number, self: boolean) {
        const stream = stage?.streamOf(userId, self)
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

      poorConnections() {
        return this.tiles.filter((tile) => !tile.self && tile.quality === 'poor').map((tile) => tile.name)
      },

      // Text helpers for the template: Alpine's CSP build has no template literals or arrow functions.
      poorConnectionText(name: string) {
        return `${name}'s connection is poor`
      },

      toggleMute() {
        void media?.toggleMute()
      },

      toggleCamera() {
        void media?.toggleCamera()
      },

      async toggleShare() {
        if (!media) return
        try {
          if (media.state.screen) media.stopScreenShare()
          else await media.startScreenShare()
        } catch {
          this.notices.push('Screen sharing was cancelled or is not allowed.')
        }
      },

      async loadDevices() {
        if (!media) return
        const label = (device: MediaDeviceInfo, index: number, fallback: string) => ({ id: device.deviceId, label: device.label || `${fallback} ${index + 1}` })
        this.microphones = (await media.devicesOf('audioinput')).map((device, index) => label(device, index, 'Microphone'))
        this.cameras = (await media.devicesOf('videoinput')).map((device, index) => label(device, index, 'Camera'))
        this.microphoneId = media.currentDeviceId('audio')
        this.cameraId = media.currentDeviceId('video')
      },

      // A device that fails shows in the device alert (LocalMedia reports it).
      async switchDevice(kind: 'audio' | 'video', deviceId: string) {
        await media?.switchDevice(kind, deviceId)
      },
    }
  }
}
