import type { LiveChannels } from '../live_channels.js'
import { SseChannel, isChannelCallEvent, type ChannelEvent } from '../../../app/realtime/sse_payloads.js'
import { callStatusLabel, endedNotice, formatDuration } from '../../../app/helpers/display_text.js'
import { dispatchCallEvent, onCallEvent } from '../calls/call_events.js'
import { CHAT_SHOWN_EVENT } from './channel_stream.js'

/** Wide enough for the chat beside a stage that still fills half the screen (call_room.css). */
export const ROOM_FOR_CHAT_QUERY = '(min-width: 1100px)'

/**
 * The call room: follows the call over the channel's SSE stream (status, timer, ended notice)
 * and asks htmx to refresh the participant list on every change.
 */
export function callRoom(live: LiveChannels) {
  return (initial: { callId: number; channelId: number; status: string; answeredAt: string | null; endedAt: string | null; inCall: boolean }) => ({
    status: initial.status,
    // The chat beside the call starts open where there is room for it, closed on narrower
    // screens (on phones it is a drawer over the stage); a page not in the call just shows it.
    chatOpen: !initial.inCall || window.matchMedia(ROOM_FOR_CHAT_QUERY).matches,
    answeredAt: initial.answeredAt,
    endedAt: initial.endedAt,
    endedNotice: '',
    now: Date.now(),
    ticker: 0 as unknown as ReturnType<typeof setInterval>,
    stops: [] as Array<() => void>,

    async init() {
      this.ticker = setInterval(() => (this.now = Date.now()), 1000)
      // The end reaches this status line twice on a joined page: from the call socket (CallStage,
      // as `call-ended`) and from SSE below. Whichever comes first ends it: a `call-ended` after
      // SSE finds the call no longer live and does nothing; SSE after `call-ended` only replaces
      // this page's end time with the server's (see resources/js/calls/call_stage.ts).
      const stopEnded = onCallEvent('call-ended', ({ reason }) => {
        if (!this.isLive()) return
        this.status = 'ended'
        this.endedAt = new Date().toISOString()
        this.endedNotice = endedNotice(reason)
      })
      const listener = live.listen<ChannelEvent>(SseChannel.channel(initial.channelId), (event) => {
        if (!isChannelCallEvent(event) || event.call.id !== initial.callId) return
        this.status = event.call.status
        this.answeredAt = event.call.answeredAt
        this.endedAt = event.call.endedAt
        if (event.type === 'call.ended') this.endedNotice = endedNotice(event.call.endReason)
        dispatchCallEvent('call-changed')
      })
      // An htmx swap away from the room destroys this component: stop both listeners with it.
      this.stops = [stopEnded, listener.stop]
      await listener.ready
    },

    destroy() {
      clearInterval(this.ticker)
      this.stops.forEach((stop) => stop())
    },

    toggleChat() {
      this.chatOpen = !this.chatOpen
      // After Alpine has shown the panel, so the timeline can tell it is on screen.
      if (this.chatOpen) (this as any).$nextTick(() => window.dispatchEvent(new Event(CHAT_SHOWN_EVENT)))
    },

    isLive() {
      return this.status === 'ringing' || this.status === 'active'
    },

    statusText() {
      return callStatusLabel(this.status)
    },

    /** Time since the first answer, frozen at the end. */
    timerText() {
      if (!this.answeredAt) return ''
      const end = this.endedAt ? Date.parse(this.endedAt) : this.now
      return formatDuration(Math.max(0, Math.floor((end - Date.parse(this.answeredAt)) / 1000)))
    },

    /** "End for everyone" names how many people it disconnects before doing it. */
    confirmEnd(event: SubmitEvent) {
      const list = document.getElementById('call-participants')
      const joined = Number(list?.dataset.joinedCount ?? 0)
      const others = Math.max(0, joined - 1)
      const who = others === 0 ? 'No one else is in it.' : `${others} ${others === 1 ? 'person' : 'people'} will be disconnected.`
      if (!window.confirm(`End the call for everyone? ${who}`)) event.preventDefault()
    },
  })
}
