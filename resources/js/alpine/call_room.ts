import type { Transmit } from '@adonisjs/transmit-client'

type CallSummary = {
  id: number
  status: string
  answeredAt: string | null
  endedAt: string | null
  endReason: string | null
  participants: Array<{ userId: number; status: string }>
}

const ENDED_NOTICES: Record<string, string> = {
  ended_by_initiator: 'The call was ended for everyone.',
  everyone_left: 'The call ended: everyone left.',
  no_answer: 'No answer.',
  declined: 'The call was declined.',
  cancelled: 'The call was cancelled.',
}

/**
 * The call room: follows the call over the channel's SSE stream (status, timer, ended notice)
 * and asks htmx to refresh the participant list on every change.
 */
export function callRoom(transmit: Transmit) {
  return (initial: { callId: number; channelId: number; status: string; answeredAt: string | null; endedAt: string | null }) => ({
    status: initial.status,
    answeredAt: initial.answeredAt,
    endedAt: initial.endedAt,
    endedNotice: '',
    now: Date.now(),
    ticker: 0 as unknown as ReturnType<typeof setInterval>,
    subscription: null as ReturnType<Transmit['subscription']> | null,

    async init() {
      this.ticker = setInterval(() => (this.now = Date.now()), 1000)
      // The call socket (callMedia) reports the end too: whichever comes first.
      document.body.addEventListener('call-ended', (event) => {
        const reason = (event as CustomEvent<{ reason: string | null }>).detail.reason
        if (!this.isLive()) return
        this.status = 'ended'
        this.endedAt = new Date().toISOString()
        this.endedNotice = ENDED_NOTICES[reason ?? ''] ?? 'The call has ended.'
      })
      const subscription = transmit.subscription(`channels/${initial.channelId}`)
      this.subscription = subscription
      subscription.onMessage<{ type: string; call?: CallSummary }>((event) => {
        if (!event.type.startsWith('call.') || event.call?.id !== initial.callId) return
        this.status = event.call.status
        this.answeredAt = event.call.answeredAt
        this.endedAt = event.call.endedAt
        if (event.type === 'call.ended') {
          this.endedNotice = ENDED_NOTICES[event.call.endReason ?? ''] ?? 'The call has ended.'
        }
        document.body.dispatchEvent(new CustomEvent('call-changed'))
      })
      await subscription.create()
    },

    destroy() {
      clearInterval(this.ticker)
      void this.subscription?.delete()
    },

    isLive() {
      return this.status === 'ringing' || this.status === 'active'
    },

    statusText() {
      return (
        { ringing: 'Ringing…', active: 'In progress', ended: 'Ended', missed: 'No answer', declined: 'Declined', cancelled: 'Cancelled' }[
          this.status
        ] ?? this.status
      )
    },

    /** Time since the first answer, frozen at the end. */
    timerText() {
      if (!this.answeredAt) return ''
      const end = this.endedAt ? Date.parse(this.endedAt) : this.now
      const seconds = Math.max(0, Math.floor((end - Date.parse(this.answeredAt)) / 1000))
      const minutes = Math.floor(seconds / 60)
      const hours = Math.floor(minutes / 60)
      const mm = String(minutes % 60).padStart(hours > 0 ? 2 : 1, '0')
      const ss = String(seconds % 60).padStart(2, '0')
      return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`
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
