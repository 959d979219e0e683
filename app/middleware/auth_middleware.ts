import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { recordSessionActivity } from '#services/account_sessions'
import { isTokenRequest } from '#helpers/token_request'
import { wantsJson } from '#helpers/call_response'

/**
 * Lets only signed-in people through. A page request is redirected to the login page, which
 * brings the person back here afterwards; JSON and htmx requests get a 401. Signed-in requests
 * record the session's activity for the account page (at most one session write a minute).
 *
 * `tokens: true` (the JSON call routes) also accepts a personal access token, for a token
 * request that asks for JSON: it is then authenticated by the `api` guard alone. Anywhere else,
 * and for a token request that wants a page, a Bearer header signs nobody in.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(ctx: HttpContext, next: NextFn, options: { guards?: (keyof Authenticators)[]; tokens?: boolean } = {}) {
    const byToken = Boolean(options.tokens) && isTokenRequest(ctx.request.headers()) && wantsJson(ctx.request)
    try {
      await ctx.auth.authenticateUsing(byToken ? ['api'] : options.guards, { loginRoute: this.redirectTo })
    } catch (error) {
      // RFC 6750: a refused token says which scheme the route wants.
      if (byToken) ctx.response.header('WWW-Authenticate', 'Bearer')
      // Only a refused page view remembers where to come back to: writing it on every request
      // would rewrite the stored session on every page view.
      else if (ctx.request.method() === 'GET' && !ctx.request.header('hx-request')) {
        ctx.session.put('returnTo', ctx.request.url(true))
      }
      throw error
    }
    if (!byToken) await recordSessionActivity(ctx, ctx.auth.getUserOrFail())
    return next()
  }
}
