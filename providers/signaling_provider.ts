import type { ApplicationService } from '@adonisjs/core/types'

/**
 * On shutdown (SIGTERM): every call socket is told to reconnect elsewhere (1001), the hub's
 * timers stop and its Redis connections close, so the process can exit.
 *
 * This must happen before the HTTP server closes (closing waits for open connections, and a
 * WebSocket stays open until we close it). Terminating hooks run last-registered first, and
 * `ready` runs once the HTTP server is started, so a hook registered here runs before it.
 */
export default class SignalingProvider {
  constructor(protected app: ApplicationService) {}

  async ready() {
    this.app.terminating(async () => {
      const { default: callHub } = await import('#signaling/call_hub')
      await callHub.close()
    })
  }
}
