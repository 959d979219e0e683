import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import type Channel from '#models/channel'
import Message from '#models/message'
import Membership from '#models/membership'
import MessagePosted from '#events/message_posted'

/**
 * Posts a message and marks it read for its author (one transaction), then announces it once
 * the rows are committed, so no listener ever sees a message the database does not hold.
 */
export default class PostMessage {
  async handle(author: User, channel: Channel, body: string) {
    const message = await db.transaction(async (trx) => {
      const created = await Message.create({ channelId: channel.id, userId: author.id, body }, { client: trx })
      await Membership.query({ client: trx })
        .where({ channelId: channel.id, userId: author.id })
        .update({ lastReadMessageId: created.id })
      return created
    })
    message.$setRelated('author', author)
    await MessagePosted.dispatch(message, channel)
    return message
  }
}
