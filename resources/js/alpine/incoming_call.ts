import type { Transmit } from '@adonisjs/transmit-client'
import { RingInbox, type Ring, type RingEvent } from '../calls/ring_inbox.js'
import { Ringtone } from '../calls/ringtone.js'
import { SingleTabRingtone } from '../calls/single_tab_ringtone.js'
import { notificationsEnabled } from './notification_setting.js'
import { errorMessage, postFollowingRedirect, requestJson, urlForCall } from '../http.js'
import { SseChannel } from '../../../app/realtime/sse_payloads.js'
import { markCallClick } from '../calls/join_clock.js'

/**
 * The incoming-call modal: wires the person's SSE channel to a RingInbox, the inbox to the
 * modal, the ringtone (one tab only) and, when the tab is hidden, a desktop notification.
 */
export function incomingCall(transmit: Transmit) {
  /** The URLs come from the server (urlFor); the per-call ones hold a `CALL_ID` placeholder. */
  type Urls = { ringingUrl: string; acceptUrl: string; declineUrl: string }
  return ({ userId, ringingUrl, acceptUrl, declineUrl }: { userId: number } & Urls) => {
    const inbox = new RingInbox()
    const ringtone = new SingleTabRingtone(new Ringtone())
    let notification: Notification | null = null

    return {
      ring: null as Ring | null,
      busy: false,
      error: '',

      async init() {
        inbox.onChange((ring) => this.show(ring))
        inbox.onMissedCount(setMissedBadge)
        const subscription = transmit.subscription(SseChannel.user(userId))
        subscription.onMessage<RingEvent>((event) => inbox.apply(event))
        await subscription.create()
        // A tab that slept or lost its stream may have missed a start or a stop.
        transmit.on('connected', () => void this.reconcile())
        document.addEventListener('visibilitychange', () => {
          if (document.visibilityState === 'visible') void this.reconcile()
        })
        await this.reconcile()
      },

      async reconcile() {
        const requestedAt = inbox.sequence
        const { ok, data } = await requestJson('GET', ringingUrl)
        if (ok) inbox.reconcile(data.rings, data.unseenMissedCount, requestedAt)
      },

      show(ring: Ring | null) {
        this.ring = ring
        this.error = ''
        this.busy = false
        notification?.close()
        notification = null
        if (!ring) return ringtone.stop()

        void ringtone.start()
        if (document.visibilityState === 'hidden' && notificationsEnabled()) {
          notification = new Notification(`${ring.caller?.name ?? 'Someone'} is calling`, {
            body: describe(ring),
            tag: `call-${ring.callId}`,
            requireInteraction: true,
          })
          notification.onclick = () => window.focus()
        }
        ;(this as any).$nextTick(() => (this as any).$refs.accept?.focus())
      },

      detail() {
        return this.ring ? describe(this.ring) : ''
      },

      /** The modal's title (Alpine's CSP build cannot evaluate `?.`, `??` or template literals). */
      callerText() {
        return `${this.ring?.caller?.name ?? 'Someone'} is calling`
      },

      async accept() {
        if (!this.ring) return
        const callId = this.ring.callId
        this.busy = true
        markCallClick(sessionStorage)
        // Posted as the banner's Join button posts it: the server answers with the room to go to.
        const { redirectTo, data } = await postFollowingRedirect(urlForCall(acceptUrl, callId))
        if (redirectTo) {
          ringtone.stop()
          window.location.assign(redirectTo)
          return
        }
        this.busy = false
        this.error = errorMessage(data, 'The call could not be joined.')
        if (data?.errors?.[0]?.code === 'E_CALL_CONFLICT') setTimeout(() => inbox.remove(callId), 2500)
      },

      async decline() {
        if (!this.ring) return
        const callId = this.ring.callId
        this.busy = true
        await requestJson('POST', urlForCall(declineUrl, callId))
        inbox.remove(callId)
      },
    }
  }
}

function describe(ring: Ring) {
  const kind = ring.kind === 'video' ? 'Video call' : 'Audio call'
  if (ring.channel.kind === 'direct') return `${kind} · direct message`
  return `${kind} in #${ring.channel.name}`
}

/** The "Calls" badge in the sidebar. */
function setMissedBadge(count: number) {
  const badge = document.getElementById('missed-badge')
  if (!badge) return
  badge.dataset.count = String(count)
  badge.hidden = count === 0
  const text = badge.querySelector('[data-count-text]')
  if (text) text.textContent = String(count)
}
