import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { matchesSecret } from '#helpers/secrets'
import { register } from '#metrics/registry'
// Every area registers its metrics when loaded: a scrape lists them all, at 0 until they move.
import '#metrics/http_metrics'
import '#metrics/ring_metrics'
import '#metrics/call_metrics'
import '#metrics/signaling_metrics'
import '#metrics/limit_metrics'
import '#metrics/stream_metrics'

/** Whether Confab serves `/metrics` at all: only with a METRICS_TOKEN. */
export function metricsEnabled() {
  return Boolean(env.get('METRICS_TOKEN'))
}

/**
 * `GET /metrics`: prom-client's global registry in the Prometheus text format, for a scraper
 * that sends `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). Nobody is
 * trusted by address, loopback included: a reverse proxy on the same host makes every visitor
 * local. Answered before the router (MetricsEndpointMiddleware): no session, no CSRF cookie.
 */
export default class MetricsController {
  async show({ request, response }: HttpContext) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.header('authorization') ?? '')?.[1]
    if (!matchesSecret(token, env.get('METRICS_TOKEN')?.release())) {
      return response
        .header('WWW-Authenticate', 'Bearer realm="metrics"')
        .unauthorized({ errors: [{ message: 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>' }] })
    }
    response.header('Content-Type', register.contentType)
    response.header('Cache-Control', 'no-store')
    return response.send(await register.metrics())
  }
}
