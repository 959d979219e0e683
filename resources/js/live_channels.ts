import type { Transmit } from '@adonisjs/transmit-client'

type Handler = (message: any) => void
type Subscription = ReturnType<Transmit['subscription']>
type Entry = { handlers: Set<Handler>; subscription: Subscription | null; ready: Promise<void> }

/**
 * Shared SSE subscriptions for the components of a page that htmx swaps (boosted navigation):
 * Transmit hands out one Subscription per channel, so a component that deleted its channel on
 * destroy took it away from any other component on it (the call room and the channel page
 * both follow `channels/:id`). Here each listener counts: the channel is unsubscribed when the
 * last one stops, one tick later, so a swap that destroys one page and inits the next on the
 * same channel keeps the subscription. A channel asked for again while its unsubscribe is
 * still on its way waits for it, then subscribes afresh.
 */
export class LiveChannels {
  #entries = new Map<string, Entry>()
  #deleting = new Map<string, Promise<void>>()

  constructor(
    private transmit: Pick<Transmit, 'subscription'>,
    private defer: (run: () => void) => void = (run) => setTimeout(run, 0)
  ) {}

  /** Calls `handler` with each message on `channel`; `ready` resolves once subscribed. */
  listen<Message>(channel: string, handler: (message: Message) => void) {
    let entry = this.#entries.get(channel)
    if (!entry) entry = this.#open(channel)
    entry.handlers.add(handler)
    const held = entry
    return {
      ready: held.ready,
      stop: () => {
        held.handlers.delete(handler)
        if (held.handlers.size === 0) this.defer(() => this.#closeIfUnused(channel, held))
      },
    }
  }

  #open(channel: string) {
    const entry: Entry = { handlers: new Set(), subscription: null, ready: Promise.resolve() }
    entry.ready = (this.#deleting.get(channel) ?? Promise.resolve()).then(async () => {
      const subscription = this.transmit.subscription(channel)
      entry.subscription = subscription
      subscription.onMessage((message) => entry.handlers.forEach((handler) => handler(message)))
      await subscription.create()
    })
    this.#entries.set(channel, entry)
    return entry
  }

  #closeIfUnused(channel: string, entry: Entry) {
    if (entry.handlers.size > 0 || this.#entries.get(channel) !== entry) return
    this.#entries.delete(channel)
    const deleting = entry.ready.then(() => entry.subscription?.delete()).catch(() => {})
    this.#deleting.set(channel, deleting)
    void deleting.then(() => {
      if (this.#deleting.get(channel) === deleting) this.#deleting.delete(channel)
    })
  }
}
