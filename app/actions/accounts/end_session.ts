import type { HttpContext } from '@adonisjs/core/http'
import liveStreams from '#services/live_streams'

/**
 * Signs out of this device for good: the stored session is deleted (the session middleware
 * destroys the old id when it commits the regenerated one), so a copy of the cookie names
 * nothing. Logging out alone would only drop `auth_web` from the same session.
 */
export default class EndSession {
  async handle({ auth, session }: HttpContext) {
    const user = auth.user
    const sessionId = session.sessionId
    await auth.use('web').logout()
    if (user) await session.untag(String(user.id))
    session.clear()
    session.regenerate()
    // The session's event streams (its other tabs) stop receiving the person's channels now.
    if (user) await liveStreams.closeSessions(user.id, [sessionId])
  }
}
