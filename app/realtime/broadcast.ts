import transmit from '@adonisjs/transmit/services/main'
import { SseChannel, type ChannelEvent, type UserEvent } from '#realtime/sse_payloads'

/*
| The only ways the server broadcasts over Transmit: each takes a payload of the typed map in
| sse_payloads.ts, so a payload the browser does not know cannot be sent.
*/

/** Sends `payload` to one person's own channel (`users/:id`). */
export function broadcastToUser(userId: number, payload: UserEvent) {
  transmit.broadcast(SseChannel.user(userId), payload)
}

/** Sends `payload` to a Confab channel's members (`channels/:id`). */
export function broadcastToChannel(channelId: number, payload: ChannelEvent) {
  transmit.broadcast(SseChannel.channel(channelId), payload)
}
