import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import ExpireRings from '#actions/calls/expire_rings'

/**
 * Makes rings stop on time. Each started call arms an in-process timer for its deadline
 * (prompt), and a sweeper runs at boot and every few seconds for deadlines no timer covers: a
 * call started before a restart, or on another instance. Both go through ExpireRings, which
 * expires each ring exactly once however many runners race.
 */
export class RingTimer {
  #timers = new Map<number, NodeJS.Timeout>()
  #sweeper?: NodeJS.Timeout
  #expireRings = new ExpireRings()

  arm(callId: number, deadline: DateTime | null) {
    if (!deadline) return
    this.disarm(callId)
    const delay = Math.max(0, deadline.diffNow().toMillis())
    const timer = setTimeout(() => {
      this.#timers.delete(callId)
      this.#expireRings.expire(callId).catch((error) => logger.error({ err: error, callId }, 'ring expiry failed'))
    }, delay)
    // A pending ring must never keep the process alive on shutdown.
    timer.unref()
    this.#timers.set(callId, timer)
  }

  disarm(callId: number) {
    clearTimeout(this.#timers.get(callId))
    this.#timers.delete(callId)
  }

  startSweeping(intervalMs: number) {
    this.stopSweeping()
    const sweep = () =>
      this.#expireRings.sweep().catch((error) => logger.error({ err: error }, 'ring sweep failed'))
    void sweep()
    this.#sweeper = setInterval(sweep, intervalMs)
    this.#sweeper.unref()
  }

  stopSweeping() {
    clearInterval(this.#sweeper)
    this.#sweeper = undefined
  }

  shutdown() {
    this.stopSweeping()
    for (const callId of [...this.#timers.keys()]) this.disarm(callId)
  }
}

const ringTimer = new RingTimer()
export default ringTimer
