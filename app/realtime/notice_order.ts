/** A place in a NoticeOrder: wait for `ready`, send, then call `done()` (idempotent). */
export type NoticeTurn = { ready: Promise<void>; done: () => void }

/**
 * Sends the notices of one thing (a call) in the order its transitions committed. Each
 * transition takes a turn synchronously right after its commit (commits of one call are
 * serialized by its row lock) and waits for the turns before it to be done, so a listener that
 * runs faster cannot overtake a slower one: a ring can never arrive after the stop that ends it.
 * Turns of different keys never wait for each other.
 */
export class NoticeOrder {
  #tails = new Map<number, Promise<void>>()

  take(key: number): NoticeTurn {
    const ready = this.#tails.get(key) ?? Promise.resolve()
    let done!: () => void
    const finished = new Promise<void>((resolve) => (done = resolve))
    const tail = ready.then(() => finished)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return { ready, done }
  }

  /** Keys with turns still waiting or running (for tests and leak checks). */
  get pending() {
    return this.#tails.size
  }
}
