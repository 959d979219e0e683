import type { ApplicationService } from '@adonisjs/core/types'
import callsConfig from '#config/calls'

/**
 * Runs the ring sweeper while the HTTP server runs (not for Ace commands, not in tests, which
 * drive ExpireRings themselves), and stops every timer on shutdown.
 */
export default class RingSweeperProvider {
  constructor(protected app: ApplicationService) {}

  async ready() {
    if (this.app.getEnvironment() !== 'web' || this.app.inTest) return
    const { default: ringTimer } = await import('#services/ring_timer')
    ringTimer.startSweeping(callsConfig.sweepIntervalMs)
  }

  async shutdown() {
    const { default: ringTimer } = await import('#services/ring_timer')
    ringTimer.shutdown()
  }
}
