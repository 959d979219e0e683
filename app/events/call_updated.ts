import { BaseEvent } from '@adonisjs/core/events'
import type { CallChange } from '#actions/calls/call_change'

/** Someone answered, declined, left, or their ring expired; the call goes on. */
export default class CallUpdated extends BaseEvent {
  constructor(public change: CallChange) {
    super()
  }
}
