import type User from '#models/user'
import { sessionCollection } from '#services/account_sessions'
import liveStreams from '#services/live_streams'
import callHub from '#signaling/call_hub'

/** "Sign out of all other sessions": destroys every stored session of the person but this one. */
export default class SignOutOtherSessions {
  /** Returns how many sessions ended. */
  async handle(user: User, currentSessionId: string) {
    const sessions = await sessionCollection()
    const others = (await sessions.tagged(String(user.id))).filter((session) => session.id !== currentSessionId)
    // Destroy even tagged sessions that no longer hold the sign-in: they are the person's.
    for (const other of others) await sessions.destroy(other.id)
    // Their open event streams and call sockets end too (they reconnect, and are refused without a session).
    const ended = others.map((other) => other.id)
    await liveStreams.closeSessions(user.id, ended)
    await callHub.revocations.sessionsRevoked(user.id, ended)
    return others.length
  }
}
