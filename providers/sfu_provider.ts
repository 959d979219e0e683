import type { ApplicationService } from '@adonisjs/core/types'
import sfuConfig from '#config/sfu'

/**
 * Connects to the Janus servers of JANUS_URLS while the HTTP server runs (nothing to do when
 * none is configured: calls are meshes) and closes their sessions on shutdown. Tests point the
 * service at their own Janus instead (tests/helpers/janus.ts).
 */
export default class SfuProvider {
  constructor(protected app: ApplicationService) {}

  async ready() {
    if (this.app.getEnvironment() !== 'web' || this.app.inTest || sfuConfig.janusUrls.length === 0) return
    const { default: sfuRooms } = await import('#sfu/main')
    const logger = await this.app.container.make('logger')
    sfuRooms.on('serverDown', (url, reason) => logger.warn({ janus: url, reason }, 'Janus lost'))
    sfuRooms.on('serverUp', (url, { reconnected }) => logger.info({ janus: url, reconnected }, 'Janus connected'))
    await sfuRooms.use(sfuConfig.janusUrls, {
      apiSecret: sfuConfig.apiSecret,
      keepaliveMs: sfuConfig.keepaliveMs,
      requestTimeoutMs: sfuConfig.requestTimeoutMs,
    }, sfuConfig.sfuFrom)
  }

  async shutdown() {
    const { default: sfuRooms } = await import('#sfu/main')
    await sfuRooms.close()
  }
}
