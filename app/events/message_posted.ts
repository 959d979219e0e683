import { BaseEvent } from '@adonisjs/core/events'
import type Message from '#models/message'
import type Channel from '#models/channel'

/** A message was committed to a channel. */
export default class MessagePosted extends BaseEvent {
  constructor(
    public message: Message,
    public channel: Channel
  ) {
    super()
  }
}
