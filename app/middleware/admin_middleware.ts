import { errors } from '@adonisjs/core/http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { viewActivity } from '#abilities/main'

/**
 * Admin pages do not exist for anyone else: the same 404 as an unknown address (a 403 would
 * say there is something here). Runs after `auth`.
 */
export default class AdminMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (await ctx.bouncer.denies(viewActivity)) {
      throw new errors.E_ROUTE_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    }
    return next()
  }
}
