import type { Transmit } from '@adonisjs/transmit-client'
import { localizeTimes } from '../local_time.js'

type MessagePosted = { type: 'message.posted'; id: number; authorId: number | null; html: string }

/**
 * Wires the channel page to its live stream: appends messages others post, keeps the timeline
 * scrolled to the newest message, and moves my read marker while I am looking.
 */
export function channelStream(transmit: Transmit) {
  return (channelId: number) => ({
    error: '',
    subscription: null as ReturnType<Transmit['subscription']> | null,

    async init() {
      this.scrollToEnd()
      const subscription = transmit.subscription(`channels/${channelId}`)
      this.subscription = subscription
      subscription.onMessage<MessagePosted>((event) => {
        if (event.type === 'message.posted') this.append(event)
      })
      await subscription.create()
    },

    async destroy() {
      await this.subscription?.delete()
    },

    messages(): HTMLElement {
      return document.getElementById('messages')!
    },

    append(event: MessagePosted) {
      // My own messages already arrived as the htmx response; a page can also see its own
      // broadcast after a reconnect: never show a message twice.
      if (document.getElementById(`message-${event.id}`)) return
      const list = this.messages()
      list.querySelector('.timeline__empty')?.remove()
      list.insertAdjacentHTML('beforeend', event.html)
      localizeTimes(list)
      this.scrollToEnd()
      if (document.visibilityState === 'visible') this.markRead(event.id)
    },

    markRead(messageId: number) {
      void fetch(`/channels/${channelId}/read_marker`, {
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
        this.messages().querySelector('.timeline__empty')?.remove()
        this.scrollToEnd()
      } else if (xhr.status === 422) {
        this.error = errorText(xhr.responseText)
      } else {
        this.error = 'Your message could not be sent. Please try again.'
      }
    },
  })
}

function readCookie(name: string) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`))
  return match ? decodeURIComponent(match[1]!) : ''
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
