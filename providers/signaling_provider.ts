import type { ApplicationService } from '@adonisjs/core/types'

/** Closes every call socket (telling pages to reconnect) and stops the hub's timers on shutdown. */
export default class SignalingProvider {
  constructor(protected app: ApplicationService) {}

  async shutdown() {
    const { default: callHub } = await import('#signaling/call_hub')
    callHub.shutdown()
  }
}
