import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import StaticMiddleware from '@adonisjs/static/static_middleware'

/**
 * Serves files from public/ (AdonisJS' static middleware), except for Transmit's event stream.
 * That request never names a file, and the static middleware holds on to the request's whole
 * context from the raw response until the response ends, which for an SSE stream is when the
 * tab closes (see EventStreamsController).
 */
@inject()
export default class PublicFilesMiddleware {
  constructor(private files: StaticMiddleware) {}

  handle(ctx: HttpContext, next: NextFn) {
    if (ctx.request.url() === '/__transmit/events') return next()
    return this.files.handle(ctx, next)
  }
}
