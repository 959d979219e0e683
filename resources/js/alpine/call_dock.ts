import type { Tile } from '../calls/call_stage.js'
import type { ActiveCall, CallOptions, CallRegistry } from '../calls/active_call.js'
import { requestJson } from '../http.js'
import { dispatchCallEvent } from '../calls/call_events.js'

/** What the layout knows of the call its person is in (frags/call_dock.edge). */
type DockCall = CallOptions & { roomUrl: string; leaveUrl: string }

/**
 * The call dock, in the layout outside the part htmx swaps (#page): who is in the call and who
 * speaks, mute, camera, leave and "Back to call". It plays the others' sound through its own
 * <audio> elements while no room page shows the call (the room's tiles play it then). A page
 * loaded while its person is in a live call (a reload, a new tab) gets the call from the server
 * and starts it here: the socket rejoins within the server's reconnect grace.
 */
export function callDock(calls: CallRegistry) {
  return ({ call: known }: { call: DockCall | null }) => {
    let call: ActiveCall | null = null
    let stopWatching: (() => void) | null = null

    return {
      active: false,
      roomShown: false,
      tiles: [] as Tile[],
      speakerId: null as number | null,
      muted: false,
      cameraOff: false,
      video: known ? known.kind === 'video' : false,
      roomUrl: known ? known.roomUrl : '',
      leaving: false,
      audioBlocked: false,

      init() {
        calls.on('change', (current) => this.follow(current))
        if (known && !calls.current) calls.join(known)
        this.follow(calls.current)
      },

      follow(current: ActiveCall | null) {
        if (current === call) return
        stopWatching?.()
        call = current
        stopWatching = current ? current.on('change', () => this.show(current)) : null
        if (current) this.show(current)
        else this.active = false
      },

      show(current: ActiveCall) {
        this.active = current.live
        this.roomShown = current.views > 0
        this.tiles = current.tiles
        this.speakerId = current.speakerId
        this.muted = current.controls.muted
        this.cameraOff = current.controls.cameraOff
        this.video = current.options.kind === 'video'
        this.audioBlocked = current.audioBlocked
        const roomUrl = known && known.callId === current.options.callId ? known.roomUrl : `/calls/${current.options.callId}`
        if (roomUrl !== this.roomUrl) {
          this.roomUrl = roomUrl
          // htmx read the link's address when it boosted it: have it read the new one.
          ;(this as any).$nextTick(() => (window.htmx as unknown as { process: (element: Element) => void }).process((this as any).$refs.back))
        }
      },

      /** The dock shows on every page but the call's own room. */
      shown() {
        return this.active && !this.roomShown
      },

      /** Binds a remote person's <audio> to their stream; silent while the room's tiles play it. */
      attachAudio(element: HTMLAudioElement, userId: number, self: boolean, roomShown: boolean) {
        if (self) return
        element.muted = roomShown
        const stream = call?.streamOf(userId, false)
        if (!stream || element.srcObject === stream) return
        element.srcObject = stream
        element.play().catch(() => call?.blockAudio(true))
      },

      unlockAudio() {
        document.querySelectorAll<HTMLAudioElement>('.dock audio').forEach((audio) => void audio.play().catch(() => {}))
        call?.blockAudio(false)
      },

      toggleMute() {
        call?.toggleMute()
      },

      toggleCamera() {
        call?.toggleCamera()
      },

      async leave() {
        if (!call || this.leaving) return
        this.leaving = true
        const leaveUrl = known && known.callId === call.options.callId ? known.leaveUrl : `/calls/${call.options.callId}/participation`
        const { ok } = await requestJson('DELETE', leaveUrl)
        this.leaving = false
        if (!ok) return
        calls.leave()
        // The channel page's banner and the room's list refresh themselves on this.
        dispatchCallEvent('call-changed')
      },

      // Text helpers for the template (Alpine's CSP build).
      nameText(tile: Tile) {
        return tile.self ? tile.name + ' (you)' : tile.name
      },
      countText() {
        return this.tiles.length === 1 ? '1 person' : `${this.tiles.length} people`
      },
    }
  }
}
