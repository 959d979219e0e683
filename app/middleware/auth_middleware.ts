import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { recordSessionActivity } from '#services/account_sessions'

/**
 * Lets only signed-in people through. A page request is redirected to the login page, which
 * brings the person back here afterwards; JSON and htmx requests get a 401. Signed-in requests
 * record the session's activity for the account page (at most one session write a minute).
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(ctx: HttpContext, next: NextFn, options: { guards?: (keyof Authenticators)[] } = {}) {
    try {
      await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    } catch (error) {
      // Only a refused page view remembers where to come back to: writing it on every request
      // would rewrite the stored session on every page view.
      if (ctx.request.method() === 'GET' && !ctx.request.header('hx-request')) {
        ctx.session.put('returnTo', ctx.request.url(true))
      }
      throw error
    }
    await recordSessionActivity(ctx, ctx.auth.getUserOrFail())
    return next()
  }
}
