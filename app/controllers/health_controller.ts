import type { HttpContext } from '@adonisjs/core/http'
import { healthChecks } from '#start/health'

/**
 * `GET /health` for load balancers and uptime checks: 200 with the report when every check
 * passes, 503 with the same report (saying which check failed) otherwise.
 */
export default class HealthController {
  async show({ response }: HttpContext) {
    const report = await healthChecks.run()
    return report.isHealthy ? response.ok(report) : response.serviceUnavailable(report)
  }
}
