import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { recordRequest } from '#metrics/http_metrics'

/**
 * Times every request that reaches the router. A server middleware, so it also sees requests
 * no route matched; the route is known once `next()` is done, and so is the status, errors
 * included (the error handler has answered by then).
 */
export default class HttpMetricsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const startedAt = process.hrtime.bigint()
    try {
      return await next()
    } finally {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9
      recordRequest(ctx.request.method(), ctx.route?.pattern, ctx.response.getStatus(), seconds)
    }
  }
}
