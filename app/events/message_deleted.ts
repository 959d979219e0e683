import { BaseEvent } from '@adonisjs/core/events'

/** A message (and its recording, if any) was deleted; the rows are gone, committed. */
export default class MessageDeleted extends BaseEvent {
  constructor(
    public messageId: number,
    public channelId: number
  ) {
    super()
  }
}
