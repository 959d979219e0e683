import { broadcastToChannel } from '#realtime/broadcast'
import type MessageDeleted from '#events/message_deleted'

/** Tells the channel's open pages to take a deleted message out of their timelines. */
export default class BroadcastMessageDeletion {
  async handle({ messageId, channelId }: MessageDeleted) {
    broadcastToChannel(channelId, { type: 'message.deleted', id: messageId })
  }
}
