import type { HttpContext } from '@adonisjs/core/http'

/**
 * Signs out of this device for good: the stored session is deleted (the session middleware
 * destroys the old id when it commits the regenerated one), so a copy of the cookie names
 * nothing. Logging out alone would only drop `auth_web` from the same session.
 */
export default class EndSession {
  async handle({ auth, session }: HttpContext) {
    const user = auth.user
    await auth.use('web').logout()
    if (user) await session.untag(String(user.id))
    session.clear()
    session.regenerate()
  }
}
