import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { ShieldConfig } from '@adonisjs/shield/types'
import { isTokenRequest } from '#helpers/token_request'

let shieldForTokens: Promise<ShieldMiddleware> | undefined

/** Shield as configured (CSP, frame, HSTS, nosniff) without CSRF, whose secret and cookie need a session. */
function shieldWithoutCsrf() {
  shieldForTokens ??= app.container.make('encryption').then((encryption) => {
    const config = app.config.get<ShieldConfig>('shield')
    return new ShieldMiddleware({ ...config, csrf: { ...config.csrf, enabled: false } }, encryption.use())
  })
  return shieldForTokens
}

/**
 * Shield for every request; token requests (app/helpers/token_request.ts) skip its CSRF check,
 * and so get no XSRF-TOKEN cookie. That is safe because CSRF is about cookies: another site can
 * make a browser send ours, never add an Authorization header to a cross-site request.
 */
@inject()
export default class TokenAwareShieldMiddleware {
  constructor(private shield: ShieldMiddleware) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if (!isTokenRequest(ctx.request.headers())) return this.shield.handle(ctx, next)
    return (await shieldWithoutCsrf()).handle(ctx, next)
  }
}
