/**
 * Waiting in tests, without sleeps that guess: `Arrivals` collects what a stream delivers and
 * lets a test wait for a matching item; `until` polls a reading until it passes.
 */
export class Arrivals<T> {
  items: T[] = []
  #wakers: Array<() => void> = []
  #ended = false

  push(item: T) {
    this.items.push(item)
    this.#wake()
  }

  /** No more items will come (the stream closed): waiting stops at once. */
  end() {
    this.#ended = true
    this.#wake()
  }

  /** The first item matching `match`, already arrived or still to come. */
  async waitFor(match: (item: T) => boolean, timeoutMs: number, describeMissing: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const found = this.items.find(match)
      if (found !== undefined) return found
      const remaining = deadline - Date.now()
      if (remaining <= 0 || this.#ended) throw new Error(describeMissing())
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining)
        this.#wakers.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  #wake() {
    this.#wakers.splice(0).forEach((wake) => wake())
  }
}

/** Polls `read` until `check` passes, or fails after `timeoutMs` showing the last reading. */
export async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  let last: T
  do {
    last = await read()
    if (check(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 200))
  } while (Date.now() < deadline)
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Last: ${JSON.stringify(last)}`)
}
