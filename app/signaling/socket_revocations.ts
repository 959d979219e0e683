import CallParticipant from '#models/call_participant'
import type { CallBus } from '#signaling/call_bus'
import { publish, type CallRoom } from '#signaling/call_room'
import type { SocketCredential } from '#signaling/call_socket'
import { CloseCode } from '#signaling/protocol'

/** A sign-in that ended, as it travels to the instances holding the person's call sockets. */
export type Revocation =
  | { kind: 'token_revoked'; userId: number; tokenId: number }
  | { kind: 'sessions_revoked'; userId: number; sessionIds: string[] }

/**
 * Closes the call sockets opened with a sign-in that just ended (a revoked access token, a
 * session signed out or revoked from the account page): here and, through the bus, on the
 * instances holding the person's other calls. A revocation reaches the calls the person is
 * `joined` in, which are the only calls they can hold a socket of. Their place then waits out the
 * reconnect grace as after any drop, and a reconnect with that sign-in is refused (401).
 */
export class SocketRevocations {
  constructor(
    private rooms: ReadonlyMap<number, CallRoom>,
    private bus: CallBus
  ) {}

  /** A personal access token was revoked: the sockets it opened close with 4401. */
  tokenRevoked(userId: number, tokenId: number) {
    return this.#revoke({ kind: 'token_revoked', userId, tokenId })
  }

  /** Sessions of the person ended (signed out, "Sign out of all other sessions"): their sockets close with 4401. */
  async sessionsRevoked(userId: number, sessionIds: string[]) {
    if (sessionIds.length > 0) await this.#revoke({ kind: 'sessions_revoked', userId, sessionIds })
  }

  /** Closes the person's socket in `room` when it was opened with the revoked sign-in (from here or the bus). */
  apply(room: CallRoom, revocation: Revocation) {
    const socket = room.members.get(revocation.userId)?.socket
    if (!socket || !revokes(revocation, socket.credential)) return
    if (revocation.kind === 'token_revoked') socket.close(CloseCode.TokenRevoked, 'Your access token was revoked')
    else socket.close(CloseCode.SessionRevoked, 'You were signed out')
  }

  async #revoke(revocation: Revocation) {
    for (const room of this.rooms.values()) this.apply(room, revocation)
    if (!this.bus.shared) return
    const joined = await CallParticipant.query().where({ userId: revocation.userId, status: 'joined' }).select('call_id')
    for (const { callId } of joined) publish(this.bus, callId, revocation)
  }
}

function revokes(revocation: Revocation, credential: SocketCredential) {
  if (revocation.kind === 'token_revoked') return credential.kind === 'token' && credential.tokenId === revocation.tokenId
  return credential.kind === 'session' && revocation.sessionIds.includes(credential.sessionId)
}
