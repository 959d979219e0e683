import type { HttpContext } from '@adonisjs/core/http'
import SignOutOtherSessions from '#actions/accounts/sign_out_other_sessions'

/** My other sessions as a resource: `DELETE /account/sessions` signs them all out. */
export default class AccountSessionsController {
  async destroy({ auth, session, request, response }: HttpContext) {
    const ended = await new SignOutOtherSessions().handle(auth.getUserOrFail(), session.sessionId)
    if (request.accepts(['html', 'json']) === 'json') return response.ok({ ended })
    session.flash('notice', ended === 1 ? 'Signed out of 1 other session.' : `Signed out of ${ended} other sessions.`)
    return response.redirect().toRoute('account.show')
  }
}
