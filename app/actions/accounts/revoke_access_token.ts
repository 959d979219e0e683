import User from '#models/user'
import callHub from '#signaling/call_hub'

/**
 * Revokes one of the person's own access tokens: its row goes, so the very next request or
 * WebSocket upgrade with it is a 401, and the call sockets it opened are closed. Someone else's
 * token id (or one already gone) is not found: false.
 */
export default class RevokeAccessToken {
  async handle(user: User, tokenId: number) {
    const deleted = await User.accessTokens.delete(user, tokenId)
    if (!deleted) return false
    await callHub.revocations.tokenRevoked(user.id, tokenId)
    return true
  }
}
