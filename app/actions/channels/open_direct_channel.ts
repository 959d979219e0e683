import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import Channel from '#models/channel'

/**
 * Opens the direct-message channel between two people, creating it the first time. The unique
 * `direct_key` means two simultaneous "Message Bob" clicks end up in the same channel.
 */
export default class OpenDirectChannel {
  async handle(user: User, otherUserId: number) {
    const directKey = Channel.directKeyFor(user.id, otherUserId)
    const existing = await Channel.findBy('directKey', directKey)
    if (existing) return existing

    try {
      return await db.transaction(async (trx) => {
        const channel = await Channel.create(
          { kind: 'direct', directKey, createdById: user.id },
          { client: trx }
        )
        const memberIds = user.id === otherUserId ? [user.id] : [user.id, otherUserId]
        await channel.related('members').attach(memberIds, trx)
        return channel
      })
    } catch (error) {
      const created = await Channel.findBy('directKey', directKey)
      if (created) return created
      throw error
    }
  }
}
