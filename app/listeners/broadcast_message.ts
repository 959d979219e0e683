import edge from 'edge.js'
import { broadcastToChannel } from '#realtime/broadcast'
import type MessagePosted from '#events/message_posted'

/**
 * Pushes a new message to the channel's members over SSE. The payload carries the message
 * rendered by the same fragment the page uses, so live and reloaded timelines look identical.
 */
export default class BroadcastMessage {
  async handle({ message, channel }: MessagePosted) {
    const html = await edge.render('frags/message', { message, broadcast: true })
    broadcastToChannel(channel.id, {
      type: 'message.posted',
      id: message.id,
      authorId: message.userId,
      html,
    })
  }
}
