import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { wantsJson } from '#helpers/call_response'

/** The person already holds as many live tokens as anyone may: 409, or the account page with the reason. */
export class AccessTokenLimitException extends Exception {
  static status = 409
  static code = 'E_TOO_MANY_ACCESS_TOKENS'

  constructor(max: number) {
    super(`You already have ${max} access tokens: revoke one you no longer use first.`)
  }

  async handle(error: this, ctx: HttpContext) {
    if (wantsJson(ctx.request)) return ctx.response.conflict({ errors: [{ code: error.code, message: error.message }] })
    ctx.session.flash('error', error.message)
    return ctx.response.redirect().toRoute('account.show')
  }
}
