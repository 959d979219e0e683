import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { limits } from '#config/limiter'

/** Failures from one IP, whatever the account: one IP cannot spray passwords across accounts. */
const failuresOfIp = () =>
  limiter.use({ requests: limits.loginFailuresPerIp, duration: '15 min', blockDuration: '15 min' })
/** Failures for one account from one IP, forgotten a day after the last one. */
const failuresOfAccount = () => limiter.use({ requests: 1_000_000, duration: '1 day' })
/** The wait those failures earned (a blocked key whose block is the wait). */
const waits = () => limiter.use({ requests: 1, duration: '1 sec' })

/** The single attempt past the free ones that may run at a time within a wait (see begin()). */
const turns = (seconds: number) => limiter.use({ requests: 1, duration: seconds })

/**
 * Login throttling. Failures count, not successes. Each (IP, account) pair gets a few free
 * failures, then a wait that doubles with each further failure (30 s, 1 min, 2 min... up to an
 * hour); the owner signing in from another IP is never slowed by it, so an attacker cannot lock
 * anyone out. Each IP also has a cap on failures across all accounts. See docs/chat.md.
 *
 * Every attempt is counted as a failure *before* its password is checked, and refunded if it
 * succeeds or is refused: the counters are atomic increments, so a burst of parallel attempts
 * gets distinct counts and cannot all slip in before the first failure is recorded. Past the
 * free failures, one attempt at a time takes the current wait's turn; the others are refused.
 */
export class LoginThrottle {
  #ipKey: string
  #accountKey: string
  #waitKey: string
  #turnKey: string
  /** This attempt's place among the account's counted attempts (set by begin()). */
  #attempt = 0

  constructor(ip: string, email: string) {
    this.#ipKey = `login_ip:${ip}`
    this.#accountKey = `login_failures:${ip}:${email}`
    this.#waitKey = `login_wait:${ip}:${email}`
    this.#turnKey = `login_turn:${ip}:${email}`
  }

  /** Seconds before this IP may try this account again (0: go ahead). */
  async waitSeconds() {
    const [ip, account] = await Promise.all([failuresOfIp().availableIn(this.#ipKey), waits().availableIn(this.#waitKey)])
    return Math.max(ip, account)
  }

  /**
   * Starts an attempt: 0 when the password may be checked (the attempt now counts as a failure
   * until succeeded() says otherwise), else the seconds to wait (nothing counted).
   */
  async begin() {
    const wait = await this.waitSeconds()
    if (wait > 0) return wait

    const ip = await failuresOfIp().increment(this.#ipKey)
    if (ip.consumed > limits.loginFailuresPerIp) {
      await failuresOfIp().decrement(this.#ipKey)
      return Math.max(await failuresOfIp().availableIn(this.#ipKey), 1)
    }
    const account = await failuresOfAccount().increment(this.#accountKey)
    this.#attempt = account.consumed
    if (this.#attempt > limits.loginFreeFailures) {
      try {
        await turns(this.#waitFor(this.#attempt - 1)).consume(this.#turnKey)
      } catch (error) {
        if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
        await this.#refund()
        return Math.max(error.response.availableIn, 1)
      }
    }
    return 0
  }

  /** The attempt failed: it stays counted, and earns the wait its count deserves. */
  async failed() {
    const ip = await failuresOfIp().get(this.#ipKey)
    if (ip && ip.consumed >= limits.loginFailuresPerIp) await failuresOfIp().block(this.#ipKey, '15 min')
    if (this.#attempt >= limits.loginFreeFailures) await waits().block(this.#waitKey, this.#waitFor(this.#attempt))
  }

  /** A success forgets this account's failures from this IP; the IP's count across accounts gets this attempt back. */
  async succeeded() {
    await failuresOfIp().decrement(this.#ipKey)
    await Promise.all([
      failuresOfAccount().delete(this.#accountKey),
      waits().delete(this.#waitKey),
      turns(1).delete(this.#turnKey),
    ])
  }

  async #refund() {
    await failuresOfIp().decrement(this.#ipKey)
    await failuresOfAccount().decrement(this.#accountKey)
  }

  /** The wait earned by `failures` failures of one account from one IP. */
  #waitFor(failures: number) {
    const doublings = Math.max(failures - limits.loginFreeFailures, 0)
    return Math.min(limits.loginBackoffSeconds * 2 ** Math.min(doublings, 20), limits.loginBackoffMaxSeconds)
  }
}
