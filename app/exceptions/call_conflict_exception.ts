import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import type Call from '#models/call'

/**
 * A call transition that no longer applies: the call is over, or the person is not in the state
 * the action needs (declining a ring that already stopped). Answered with 409 and the reason;
 * a page form goes back with the reason shown.
 */
export class CallConflictException extends Exception {
  static status = 409
  static code = 'E_CALL_CONFLICT'

  static ended(call: Call) {
    const exception = new CallConflictException('This call has already ended.')
    exception.callStatus = call.status
    return exception
  }

  static gone() {
    return new CallConflictException('This call no longer exists.')
  }

  static notRinging() {
    return new CallConflictException('This call is not ringing for you any more.')
  }

  /** `meshOnly`: this server has no media server (SFU), which is what keeps calls this small. */
  static full(max: number, meshOnly: boolean) {
    const why = meshOnly ? ' Calls here connect everyone directly, without a media server, which keeps them this small.' : ''
    return new CallConflictException(`This call is full: at most ${max} people can be in it.${why}`)
  }

  static notInCall() {
    return new CallConflictException('You are not in this call.')
  }

  callStatus?: string

  async handle(error: this, ctx: HttpContext) {
    if (ctx.request.accepts(['html', 'json']) === 'json' || ctx.request.header('hx-request')) {
      return ctx.response.status(409).send({ errors: [{ code: error.code, message: error.message }] })
    }
    ctx.session.flash('error', error.message)
    return ctx.response.redirect().back()
  }
}
