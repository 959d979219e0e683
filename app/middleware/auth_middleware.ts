import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'

/**
 * Lets only signed-in people through. A page request is redirected to the login page, which
 * brings the person back here afterwards; JSON and htmx requests get a 401.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(ctx: HttpContext, next: NextFn, options: { guards?: (keyof Authenticators)[] } = {}) {
    if (ctx.request.method() === 'GET' && !ctx.request.header('hx-request')) {
      ctx.session.put('returnTo', ctx.request.url(true))
    }
    await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    ctx.session.forget('returnTo')
    return next()
  }
}
