import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * A recording request that does not apply now: one already runs, none runs, the answer was
 * given already. 409 with the reason (JSON, or back to the page with it flashed).
 */
export class RecordingConflictException extends Exception {
  static status = 409
  static code = 'E_RECORDING_CONFLICT'

  static alreadyRunning() {
    return new RecordingConflictException('This call is already being recorded.')
  }

  static notRunning() {
    return new RecordingConflictException('This call is not being recorded.')
  }

  static alreadyAnswered() {
    return new RecordingConflictException('You have already answered; your answer stands for this recording.')
  }

  static unavailable(reason: string) {
    return new RecordingConflictException(reason, { status: 503, code: 'E_RECORDING_UNAVAILABLE' })
  }

  async handle(error: this, ctx: HttpContext) {
    if (ctx.request.accepts(['html', 'json']) === 'json' || ctx.request.header('hx-request')) {
      return ctx.response.status(error.status).send({ errors: [{ code: error.code, message: error.message }] })
    }
    ctx.session.flash('error', error.message)
    return ctx.response.redirect().back()
  }
}
