import type { StageControls, Tile } from '../calls/call_stage.js'
import type { ActiveCall, CallOptions, CallRegistry } from '../calls/active_call.js'
import type { LocalMedia } from '../calls/local_media.js'
import { stageLayoutWiring } from './stage_layout_wiring.js'
import type { Arrangement } from '../calls/stage_layout.js'
import { callDevices } from './call_devices.js'
import type { HandsState } from '../calls/hands.js'
import { Shortcuts } from '../calls/shortcuts.js'
import { showHandsInList, closeOpenMenus } from './call_hands.js'
import { REACTIONS, type Reaction } from '../../../app/signaling/protocol.js'

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
    const media = () => (call?.parts?.media as LocalMedia | undefined) ?? null

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
      ...callDevices(media),
      // Raised hands and reactions (resources/js/calls/hands.ts), and what the reaction picker offers.
      handState: { raised: [], reactions: [] } as HandsState,
      selfId: 0,
      isInitiator: false,
      reactionChoices: [...REACTIONS] as Reaction[],

      async init() {
        const active = calls.join(options)
        call = active
        detach = [active.on('change', () => this.show(active)), active.attachView()]
        this.show(active)
        this.watchStage((this as any).$refs.area)
        detach.push(() => this.unwatchStage())
        this.wireKeys()
        await active.ready
        if (!detach.length) return // destroyed (swapped away) while the devices started
        this.wireParts(active)
        this.show(active)
        // The device pickers are not needed to join: list them while the call connects.
        void this.loadDevices().catch((error) => console.warn('call:devices', error))
      },

      /** This view's listeners on the call's devices and hands; all dropped on destroy. */
      wireParts(active: ActiveCall) {
        const local = media()
        if (local?.on) {
          this.deviceProblems = local.problems
          detach.push(local.on('problems', (problems) => (this.deviceProblems = problems)))
          detach.push(local.on('devices', () => void this.loadDevices().catch((error) => console.warn('call:devices', error))))
        }
        const hands = active.parts?.hands
        if (!hands) return
        const showHands = (state: HandsState) => {
          this.handState = state
          showHandsInList(state)
        }
        showHands(hands.state)
        detach.push(hands.on('change', showHands))
        // The people list is swapped in by htmx on every call change: order it again.
        const onSwap = () => showHandsInList(this.handState)
        document.body.addEventListener('htmx:afterSwap', onSwap)
        detach.push(() => document.body.removeEventListener('htmx:afterSwap', onSwap))
      },

      /** The room's keyboard shortcuts (docs/call_room.md), for as long as the room is shown. */
      wireKeys() {
        const shortcuts = new Shortcuts({
          mute: () => this.toggleMute(),
          camera: options.kind === 'video' ? () => this.toggleCamera() : undefined,
          hand: () => this.toggleHand(),
          escape: () => closeOpenMenus(document),
        })
        const onKey = (event: KeyboardEvent) => void shortcuts.handle(event)
        window.addEventListener('keydown', onKey)
        detach.push(() => window.removeEventListener('keydown', onKey))
      },

      destroy() {
        detach.forEach((stop) => stop())
        detach = []
      },

      show(active: ActiveCall) {
        const tilesChanged = this.tiles !== active.tiles
        const speakerChanged = this.speakerId !== active.speakerId
        this.tiles = active.tiles
        this.speakerId = active.speakerId
        if (speakerChanged) this.speakerChanged(active.speakerId)
        else if (tilesChanged) this.relayout()
        this.connection = active.connection
        this.notices = active.notices
        this.finished = Boolean(active.end)
        this.needsAudioUnlock = this.needsAudioUnlock || active.audioBlocked
        const self = active.parts?.self
        if (self) {
          this.selfId = self.userId
          this.isInitiator = self.initiator
        }
        this.showControls(active.controls)
      },

      toggleHand() {
        call?.parts?.hands?.toggleMine()
      },

      lowerHand(userId: number) {
        call?.parts?.hands?.lower(userId)
      },

      react(emoji: Reaction) {
        call?.parts?.hands?.react(emoji)
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

      /** The stage was laid out (stageLayoutWiring): the call asks the SFU for the layers it needs. */
      arranged(arrangement: Arrangement, tiles: Tile[]) {
        call?.arranged(arrangement, tiles)
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
        const local = media()
        if (!local) return
        const label = (device: MediaDeviceInfo, index: number, fallback: string) => ({ id: device.deviceId, label: device.label || `${fallback} ${index + 1}` })
        this.microphones = (await local.devicesOf('audioinput')).map((device, index) => label(device, index, 'Microphone'))
        this.cameras = (await local.devicesOf('videoinput')).map((device, index) => label(device, index, 'Camera'))
        this.microphoneId = local.currentDeviceId('audio')
        this.cameraId = local.currentDeviceId('video')
      },

      // A device that fails shows in the device alert (LocalMedia reports it).
      async switchDevice(kind: 'audio' | 'video', deviceId: string) {
        await media()?.switchDevice(kind, deviceId)
      },
    }
  }
}
