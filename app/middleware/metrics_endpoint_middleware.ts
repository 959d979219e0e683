import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import MetricsController, { metricsEnabled } from '#controllers/metrics_controller'

/**
 * Answers `GET /metrics` before the router, as the static middleware answers files: the
 * router's middleware would open a session and Shield would put a CSRF secret in it, so every
 * scrape (a cookieless request every 15 s) would store a new session row or Redis key. Without
 * METRICS_TOKEN the request goes on to the router, which has no such route: 404.
 */
export default class MetricsEndpointMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (ctx.request.method() !== 'GET' || ctx.request.url() !== '/metrics' || !metricsEnabled()) return next()
    return new MetricsController().show(ctx)
  }
}
