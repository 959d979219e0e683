import type { ApplicationService } from '@adonisjs/core/types'
import callsConfig from '#config/calls'

/**
 * Runs the call sweeper while the HTTP server runs (not for Ace commands, not in tests, which
 * drive it themselves): rings past their deadline, and people who are in a call on paper but
 * have had no connection for longer than the reconnect grace. Stops every timer on shutdown.
 */
export default class CallSweeperProvider {
  #sweeper: NodeJS.Timeout | null = null

  constructor(protected app: ApplicationService) {}

  async ready() {
    if (this.app.getEnvironment() !== 'web' || this.app.inTest) return
    const { default: ringTimer } = await import('#services/ring_timer')
    const { default: callHub } = await import('#signaling/call_hub')
    const logger = await this.app.container.make('logger')
    ringTimer.startSweeping(callsConfig.sweepIntervalMs)
    this.#sweeper = setInterval(() => {
      callHub.reapAbsent().catch((error) => logger.error({ err: error }, 'absent participant sweep failed'))
    }, callsConfig.sweepIntervalMs)
    this.#sweeper.unref()
  }

  async shutdown() {
    if (this.#sweeper) clearInterval(this.#sweeper)
    const { default: ringTimer } = await import('#services/ring_timer')
    ringTimer.shutdown()
  }
}
