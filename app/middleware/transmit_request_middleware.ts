import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { errors } from '@vinejs/vine'
import { transmitStreamValidator, transmitSubscriptionValidator } from '#validators/transmit'

/**
 * Guards Transmit's routes before their controller: only a signed-in person may open a stream
 * or (un)subscribe (401 otherwise: an open stream costs the server on every broadcast), and a
 * request without a `uid` or with a channel Confab never publishes gets a 422 that says what is
 * wrong. These routes are only called by scripts, so the answer is always JSON, never a redirect.
 */
export default class TransmitRequestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!(await ctx.auth.check())) {
      return ctx.response.unauthorized({ errors: [{ message: 'Sign in to receive live updates' }] })
    }
    try {
      if (ctx.request.method() === 'GET') {
        await transmitStreamValidator.validate(ctx.request.qs())
      } else {
        await transmitSubscriptionValidator.validate(ctx.request.all())
      }
    } catch (error) {
      if (error instanceof errors.E_VALIDATION_ERROR) {
        return ctx.response.unprocessableEntity({ errors: error.messages })
      }
      throw error
    }
    return next()
  }
}
