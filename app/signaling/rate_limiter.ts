/**
 * A token bucket per socket: `burst` frames at once, refilled at `perSecond`. Cheap enough for
 * every frame (two numbers, no timers).
 */
export class FrameBucket {
  #tokens: number
  #updatedAt: number

  constructor(
    private burst: number,
    private perSecond: number,
    private now: () => number = Date.now
  ) {
    this.#tokens = burst
    this.#updatedAt = now()
  }

  /** Takes one token; false when the socket is sending faster than allowed. */
  take() {
    const now = this.now()
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond)
    this.#updatedAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
