import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import StaticMiddleware from '@adonisjs/static/static_middleware'

/**
 * Serves files from public/ (AdonisJS' static middleware), except for the SSE stream route. That
 * request never names a file, and the static middleware hangs the request's response (and so
 * its whole HttpContext: session, auth, renderer) on the raw response as `parent`, which for a
 * stream lives as long as the page (bench/README.md, "Memory per idle SSE subscriber").
 */
@inject()
export default class PublicFilesMiddleware {
  constructor(private files: StaticMiddleware) {}

  handle(ctx: HttpContext, next: NextFn) {
    if (ctx.request.url() === '/__transmit/events') return next()
    return this.files.handle(ctx, next)
  }
}
