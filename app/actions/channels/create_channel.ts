import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import Channel from '#models/channel'

type ChannelInput = { name: string; topic?: string; kind: 'public' | 'private' }

/** Creates a channel with its creator as the first member, in one transaction. */
export default class CreateChannel {
  async handle(creator: User, input: ChannelInput) {
    return db.transaction(async (trx) => {
      const channel = await Channel.create(
        { name: input.name, topic: input.topic ?? null, kind: input.kind, createdById: creator.id },
        { client: trx }
      )
      await channel.related('members').attach([creator.id], trx)
      return channel
    })
  }
}
