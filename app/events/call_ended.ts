import { BaseEvent } from '@adonisjs/core/events'
import type { CallChange } from '#actions/calls/call_change'

/** The call is over (ended, missed, declined or cancelled). */
export default class CallEnded extends BaseEvent {
  constructor(public change: CallChange) {
    super()
  }
}
