import type { HttpContext } from '@adonisjs/core/http'
import { activeSessionsOf } from '#services/account_sessions'

/** The account page: who I am and where I am signed in. */
export default class AccountController {
  async show({ auth, session, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const sessions = await activeSessionsOf(user, session.sessionId)
    return view.render('pages/account/show', { sessions, title: 'Your account' })
  }
}
