import type User from '#models/user'
import type Channel from '#models/channel'
import Membership from '#models/membership'
import Message from '#models/message'

/**
 * Moves the member's read marker forward to `messageId`, never backwards, so an old tab cannot
 * resurrect unread messages that a newer tab already showed. A message id of another channel
 * (or one that does not exist yet) moves nothing.
 */
export default class MarkChannelRead {
  async handle(user: User, channel: Channel, messageId: number) {
    const message = await Message.query().where({ id: messageId, channelId: channel.id }).select('id').first()
    if (!message) return
    await Membership.query()
      .where({ channelId: channel.id, userId: user.id })
      .where((query) => {
        query.whereNull('last_read_message_id').orWhere('last_read_message_id', '<', messageId)
      })
      .update({ lastReadMessageId: messageId })
  }
}
