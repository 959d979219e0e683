import type { LiveChannels } from '../live_channels.js'
import { localizeTimes } from '../local_time.js'
import { readCookie } from '../http.js'
import { SseChannel, isChannelCallEvent, type ChannelEvent, type MessagePayload } from '../../../app/realtime/sse_payloads.js'
import { dispatchCallEvent } from '../calls/call_events.js'
import { MESSAGE_SENT_EVENT } from './media_composer.js'

/** The call room's chat panel announces that it opened (resources/js/alpine/call_room.ts). */
export const CHAT_SHOWN_EVENT = 'chat-shown'

/**
 * Wires a channel timeline to its live stream, on the channel page and in the chat beside a
 * call (frags/channel_chat): appends messages others post, keeps the timeline scrolled to the
 * newest message, and moves my read marker while I am looking. `markOnShow`: the server did not
 * mark the page read (the call room, whose chat may start closed), so the newest message is
 * marked once the timeline is on screen.
 */
export function channelStream(live: LiveChannels) {
  return ({ channelId, readMarkerUrl, markOnShow = false }: { channelId: number; readMarkerUrl: string; markOnShow?: boolean }) => ({
    error: '',
    stops: [] as Array<() => void>,

    async init() {
      this.scrollToEnd()
      if (markOnShow) {
        this.markNewestShown()
        const onShown = () => {
          this.scrollToEnd()
          this.markNewestShown()
        }
        window.addEventListener(CHAT_SHOWN_EVENT, onShown)
        this.stops.push(() => window.removeEventListener(CHAT_SHOWN_EVENT, onShown))
      }
      // Shared with the other components on this channel (the call room's status line), and kept
      // across an htmx swap to the same channel (resources/js/live_channels.ts).
      const listener = live.listen<ChannelEvent>(SseChannel.channel(channelId), (event) => {
        if (event.type === 'message.posted') this.append(event)
        else if (event.type === 'message.updated') this.replace(event)
        else if (event.type === 'message.deleted') this.remove(event.id)
        // The call banner refreshes itself (htmx) on this event.
        else if (isChannelCallEvent(event)) dispatchCallEvent('call-changed')
      })
      this.stops.push(listener.stop)
      this.listenToComposer()
      await listener.ready
    },

    destroy() {
      this.stops.forEach((stop) => stop())
      this.stops = []
    },

    /**
     * The recorder's sent message (frags/media_recorder) comes in through show(), like the text
     * composer's; my own Delete (htmx, no swap) removes the message at once, before the stream's
     * `message.deleted` does it again (a no-op) on every member's page.
     */
    listenToComposer() {
      const root = (this as any).$el as HTMLElement
      const onSent = (event: Event) => {
        const { id, html } = (event as CustomEvent<{ id: number; html: string }>).detail
        this.show(id, html)
      }
      const onRequest = (event: Event) => {
        const detail = (event as CustomEvent<{ successful: boolean; elt: Element }>).detail
        const message = detail.elt?.closest?.('.message__delete') ? detail.elt.closest<HTMLElement>('.message') : null
        if (detail.successful && message) this.remove(Number(message.id.replace('message-', '')))
      }
      root.addEventListener(MESSAGE_SENT_EVENT, onSent)
      root.addEventListener('htmx:afterRequest', onRequest)
      this.stops.push(() => root.removeEventListener(MESSAGE_SENT_EVENT, onSent))
      this.stops.push(() => root.removeEventListener('htmx:afterRequest', onRequest))
    },

    messages(): HTMLElement {
      return document.getElementById('messages')!
    },

    append(event: MessagePayload) {
      this.show(event.id, event.html)
    },

    /**
     * The one way a message enters the timeline, whoever brought it: the stream (others' posts,
     * and my own, which may come back over SSE before my post's response) or my post's response
     * (the composer swaps nothing itself). Whichever comes second finds it shown: never twice.
     */
    show(id: number, html: string) {
      if (document.getElementById(`message-${id}`)) return
      const list = this.messages()
      list.querySelector('.timeline__empty')?.remove()
      list.insertAdjacentHTML('beforeend', html)
      activate(list.lastElementChild)
      localizeTimes(list)
      this.scrollToEnd()
      if (this.isShown()) this.markRead(id)
    },

    /** The page is in front and the timeline laid out (not in a closed chat drawer). */
    isShown() {
      const timeline = (this as any).$refs.timeline as HTMLElement | undefined
      return document.visibilityState === 'visible' && (!timeline || timeline.getClientRects().length > 0)
    },

    markNewestShown() {
      const newest = [...this.messages().querySelectorAll<HTMLElement>('[data-message-id]')].at(-1)
      if (newest && this.isShown()) this.markRead(Number(newest.dataset.messageId))
    },

    /** A call's timeline entry changed ("started — Join" became "Call ended · 3:12"). */
    replace(event: MessagePayload) {
      const existing = document.getElementById(`message-${event.id}`)
      if (!existing) return
      existing.outerHTML = event.html
      activate(document.getElementById(`message-${event.id}`))
      localizeTimes(this.messages())
    },

    /** A deleted message leaves every timeline it is in (an unknown id is a no-op). */
    remove(id: number) {
      document.getElementById(`message-${id}`)?.remove()
    },

    markRead(messageId: number) {
      void fetch(readMarkerUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': readCookie('XSRF-TOKEN') },
        body: JSON.stringify({ messageId }),
      })
    },

    scrollToEnd() {
      const timeline = (this as any).$refs.timeline as HTMLElement | undefined
      if (timeline) timeline.scrollTop = timeline.scrollHeight
    },

    /** Enter sends, Shift+Enter makes a new line (as in every chat app). */
    submitOnEnter(event: KeyboardEvent) {
      if (event.shiftKey || event.isComposing) return
      event.preventDefault()
      ;(event.target as HTMLTextAreaElement).form?.requestSubmit()
    },

    afterPost(event: CustomEvent) {
      const form = event.target as HTMLFormElement
      const xhr = event.detail.xhr as XMLHttpRequest
      if (event.detail.successful) {
        this.error = ''
        form.reset()
        const id = /id="message-(\d+)"/.exec(xhr.responseText)?.[1]
        if (id) this.show(Number(id), xhr.responseText)
      } else if (xhr.status === 422 || xhr.status === 429) {
        // A validation error, or "You are posting messages too quickly. Try again in 20 seconds.".
        this.error = errorText(xhr.responseText)
      } else {
        this.error = 'Your message could not be sent. Please try again.'
      }
    },
  })
}


/**
 * Readies a fragment this component inserted: the broadcast copy, the same for every member,
 * carries the author's Delete button hidden, shown here on the author's own page
 * (body[data-user-id]); and htmx wires the hx- attributes of what it did not swap in itself.
 */
function activate(element: Element | null) {
  if (!element) return
  const me = document.body.dataset.userId
  element.querySelectorAll<HTMLElement>('.message__delete[hidden]').forEach((button) => {
    if (me && button.dataset.authorId === me) button.hidden = false
  })
  // htmx's bundled types omit `process`, hence the cast.
  ;(window.htmx as unknown as { process(element: Element): void } | undefined)?.process(element)
}

/** Validation errors come back as JSON ({ errors: [{ message }] }) for htmx requests. */
function errorText(body: string) {
  try {
    const parsed = JSON.parse(body)
    return parsed.errors?.map((error: { message: string }) => error.message).join(' ') || 'Invalid message.'
  } catch {
    return 'Invalid message.'
  }
}
