import type { HttpContext } from '@adonisjs/core/http'
import liveStreams from '#services/live_streams'
import { sessionCollection } from '#services/account_sessions'
import callHub from '#signaling/call_hub'

/**
 * Signs out of this device for good: the stored session is deleted (the session middleware
 * destroys the old id when it commits the regenerated one), so a copy of the cookie names
 * nothing, and what the session holds open ends: its event streams and its call sockets (4401).
 * Logging out alone would only drop `auth_web` from the same session.
 */
export default class EndSession {
  async handle({ auth, session }: HttpContext) {
    const user = auth.user
    const sessionId = session.sessionId
    await auth.use('web').logout()
    if (user) await session.untag(String(user.id))
    session.clear()
    session.regenerate()
    if (!user) return
    // Gone from the store now rather than when the response commits: a call socket closed below
    // that reconnects at once must find no session (401), not the old one still signed in.
    await (await sessionCollection()).destroy(sessionId)
    // The session's event streams (its other tabs) stop receiving the person's channels now, and
    // its call sockets close, wherever they are held.
    await liveStreams.closeSessions(user.id, [sessionId])
    await callHub.revocations.sessionsRevoked(user.id, [sessionId])
  }
}
