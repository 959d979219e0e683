import { Emitter } from '../calls/emitter.js'

type TimerEvents = {
  /** Milliseconds recorded so far, a few times a second. */
  tick: number
  /** The maximum length is reached: the recording must stop now. */
  limit: number
}

export type TimerClock = {
  now(): number
  every(run: () => void, ms: number): () => void
}

const browserClock: TimerClock = {
  now: () => performance.now(),
  every: (run, ms) => {
    const handle = setInterval(run, ms)
    return () => clearInterval(handle)
  },
}

/**
 * Counts a recording's length up from zero and says when it reaches `maxMs` (once). Reads the
 * clock rather than counting ticks, so a throttled background tab still stops on time.
 */
export class RecordingTimer extends Emitter<TimerEvents> {
  #startedAt = 0
  #cancel: (() => void) | null = null
  #elapsed = 0

  constructor(readonly maxMs: number, private clock: TimerClock = browserClock) {
    super()
  }

  get elapsedMs() {
    return this.#cancel ? Math.min(this.clock.now() - this.#startedAt, this.maxMs) : this.#elapsed
  }

  start() {
    this.stop()
    this.#startedAt = this.clock.now()
    this.#cancel = this.clock.every(() => this.#tick(), 200)
  }

  /** Stops counting; returns the length recorded. Safe to call twice. */
  stop() {
    if (this.#cancel) {
      this.#elapsed = this.elapsedMs
      this.#cancel()
      this.#cancel = null
    }
    return this.#elapsed
  }

  #tick() {
    const elapsed = this.elapsedMs
    this.emit('tick', elapsed)
    if (elapsed >= this.maxMs) {
      this.stop()
      this.emit('limit', elapsed)
    }
  }
}

/** "0:07", "2:00", "12:05": minutes and seconds, as the timer and the limit are shown. */
export function formatClock(ms: number) {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
