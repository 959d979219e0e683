import type User from '#models/user'
import { sessionCollection } from '#services/account_sessions'
import liveStreams from '#services/live_streams'

/** "Sign out of all other sessions": destroys every stored session of the person but this one. */
export default class SignOutOtherSessions {
  /** Returns how many sessions ended. */
  async handle(user: User, currentSessionId: string) {
    const sessions = await sessionCollection()
    const others = (await sessions.tagged(String(user.id))).filter((session) => session.id !== currentSessionId)
    // Destroy even tagged sessions that no longer hold the sign-in: they are the person's.
    for (const other of others) await sessions.destroy(other.id)
    // Their open event streams end too (they reconnect, and are refused without a session).
    await liveStreams.closeSessions(user.id, others.map((other) => other.id))
    return others.length
  }
}
