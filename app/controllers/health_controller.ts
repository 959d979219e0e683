import type { HttpContext } from '@adonisjs/core/http'
import { healthChecks } from '#start/health'
import { HEALTH_SECRET_HEADER, holdsHealthSecret, publicHealthReport } from '#health/report_access'

/**
 * `GET /health` for load balancers and uptime checks: 200 when every check passes, 503 (saying
 * which check failed) otherwise. The full report, with process details and each check's
 * message, only for a request that carries HEALTH_SECRET in `X-Health-Secret`.
 */
export default class HealthController {
  async show({ request, response }: HttpContext) {
    const report = await healthChecks.run()
    const body = holdsHealthSecret(request.header(HEALTH_SECRET_HEADER)) ? report : publicHealthReport(report)
    response.header('Cache-Control', 'no-store')
    return report.isHealthy ? response.ok(body) : response.serviceUnavailable(body)
  }
}
