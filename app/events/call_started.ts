import { BaseEvent } from '@adonisjs/core/events'
import type { CallChange } from '#actions/calls/call_change'

/** A call was started: its invitees start ringing. */
export default class CallStarted extends BaseEvent {
  constructor(public change: CallChange) {
    super()
  }
}
