import type { RingPayload, UserEvents } from '../../../app/realtime/sse_payloads.js'

/** A ring, as `call.ringing` and `GET /calls/ringing` carry it (app/realtime/sse_payloads.ts). */
export type Ring = Omit<RingPayload, 'type'> & { type?: RingPayload['type'] }

/** The events of the person's SSE channel (`users/:id`), with the fields the inbox reads. */
export type RingEvent =
  | RingPayload
  | Pick<UserEvents['call.ring_stopped'], 'type' | 'callId' | 'reason'>
  | Pick<UserEvents['call.ended'], 'type' | 'callId' | 'reason'>
  | Pick<UserEvents['call.missed'], 'type' | 'callId' | 'unseenCount'>

type Listener = (current: Ring | null) => void

/** How many stopped calls the inbox remembers (a person is rung once per call, at its start). */
const STOPPED_REMEMBERED = 100

/**
 * The rings waiting for an answer in this tab, as the server reports them. It holds no timers
 * and touches no DOM: the server says when a ring starts and stops (over SSE, or in the list a
 * waking tab fetches), and listeners decide what to show or play.
 */
export class RingInbox {
  #rings: Ring[] = []
  /** Calls whose ring stopped here: a ring for one of them arriving late is stale. */
  #stopped = new Set<number>()
  #sequence = 0
  #listeners = new Set<Listener>()
  #missedListeners = new Set<(count: number) => void>()

  constructor(private now: () => number = Date.now) {}

  /** Counts the events applied: a list fetched before the latest event is stale. */
  get sequence() {
    return this.#sequence
  }

  /** The ring on show: the oldest one still live. */
  get current(): Ring | null {
    return this.#rings[0] ?? null
  }

  onChange(listener: Listener) {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  onMissedCount(listener: (count: number) => void) {
    this.#missedListeners.add(listener)
    return () => this.#missedListeners.delete(listener)
  }

  /** Applies one event from the person's SSE channel. */
  apply(event: RingEvent) {
    this.#sequence += 1
    switch (event.type) {
      case 'call.ringing':
        // The server sends a call's notices in order, but a ring and its stop sent by two
        // instances (Redis) could still cross: a stopped call never rings again.
        if (this.#stopped.has(event.callId)) return
        if (this.#rings.some((ring) => ring.callId === event.callId)) return
        this.#update([...this.#rings, event])
        return
      case 'call.ring_stopped':
      case 'call.ended':
        this.remove(event.callId)
        return
      case 'call.missed':
        this.remove(event.callId)
        this.#missedListeners.forEach((listener) => listener(event.unseenCount))
    }
  }

  /**
   * Replaces what this tab believes with the server's list (after sleep or a reconnect). A list
   * requested before the last event arrived is older than what the tab knows: it is ignored.
   * Rings past their deadline by this clock are dropped even if the list still has them.
   */
  reconcile(live: Ring[], unseenMissedCount?: number, requestedAt: number = this.#sequence) {
    if (requestedAt !== this.#sequence) return false
    const now = this.now()
    this.#update(
      live.filter((ring) => !this.#stopped.has(ring.callId) && (!ring.ringExpiresAt || Date.parse(ring.ringExpiresAt) > now))
    )
    if (unseenMissedCount !== undefined) this.#missedListeners.forEach((listener) => listener(unseenMissedCount))
    return true
  }

  remove(callId: number) {
    this.#stopped.add(callId)
    if (this.#stopped.size > STOPPED_REMEMBERED) this.#stopped.delete(this.#stopped.values().next().value!)
    if (!this.#rings.some((ring) => ring.callId === callId)) return
    this.#update(this.#rings.filter((ring) => ring.callId !== callId))
  }

  #update(next: Ring[]) {
    const before = this.current
    this.#rings = next
    if (before?.callId !== this.current?.callId) this.#listeners.forEach((listener) => listener(this.current))
  }
}
