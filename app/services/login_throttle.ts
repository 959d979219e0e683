import limiter from '@adonisjs/limiter/services/main'
import { limits } from '#config/limiter'

/** Failures from one IP, whatever the account: one IP cannot spray passwords across accounts. */
const failuresOfIp = () =>
  limiter.use({ requests: limits.loginFailuresPerIp, duration: '15 min', blockDuration: '15 min' })
/** Failures for one account from one IP, forgotten a day after the last one. */
const failuresOfAccount = () => limiter.use({ requests: 1_000_000, duration: '1 day' })
/** The wait those failures earned (a blocked key whose block is the wait). */
const waits = () => limiter.use({ requests: 1, duration: '1 sec' })

/**
 * Login throttling. Failures, not attempts, count. Each (IP, account) pair gets a few free
 * failures, then a wait that doubles with each further failure (30 s, 1 min, 2 min... up to an
 * hour); the owner signing in from another IP is never slowed by it, so an attacker cannot lock
 * anyone out. Each IP also has a cap on failures across all accounts. See docs/deploy.md.
 */
export class LoginThrottle {
  #ipKey: string
  #accountKey: string
  #waitKey: string

  constructor(ip: string, email: string) {
    this.#ipKey = `login_ip:${ip}`
    this.#accountKey = `login_failures:${ip}:${email}`
    this.#waitKey = `login_wait:${ip}:${email}`
  }

  /** Seconds before this IP may try this account again (0: go ahead). */
  async waitSeconds() {
    const [ip, account] = await Promise.all([failuresOfIp().availableIn(this.#ipKey), waits().availableIn(this.#waitKey)])
    return Math.max(ip, account)
  }

  /** Counts a failed login, and starts the wait it earns. */
  async failed() {
    const ip = await failuresOfIp().increment(this.#ipKey)
    if (ip.consumed >= limits.loginFailuresPerIp) await failuresOfIp().block(this.#ipKey, '15 min')

    const { consumed } = await failuresOfAccount().increment(this.#accountKey)
    if (consumed >= limits.loginFreeFailures) {
      const doublings = consumed - limits.loginFreeFailures
      const seconds = Math.min(limits.loginBackoffSeconds * 2 ** Math.min(doublings, 20), limits.loginBackoffMaxSeconds)
      await waits().block(this.#waitKey, seconds)
    }
  }

  /** A success forgets this account's failures from this IP (not the IP's count across accounts). */
  async succeeded() {
    await Promise.all([failuresOfAccount().delete(this.#accountKey), waits().delete(this.#waitKey)])
  }
}
