import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { CallChange } from '#actions/calls/call_change'
import { lockLiveCall, missStillRinging } from '#actions/calls/call_rules'
import { announceCallChange } from '#actions/calls/announce_call_change'

/**
 * Ends the call for everyone (the initiator's button; the policy checks who may). Everyone in it
 * is disconnected; whoever is still ringing stops and gets a missed call. A call nobody answered
 * yet counts as `cancelled`.
 */
export default class EndCall {
  async handle(user: User, callId: number) {
    const change = await db.transaction(async (trx) => {
      const call = await lockLiveCall(trx, callId)
      const change = new CallChange(call)
      const neverAnswered = call.status === 'ringing'
      await missStillRinging(trx, change, neverAnswered ? 'cancelled' : 'ended')
      if (neverAnswered) await call.finish(trx, 'cancelled', 'cancelled', user.id)
      else await call.finish(trx, 'ended', 'ended_by_initiator', user.id)
      change.ended = true
      return change
    })
    await announceCallChange(change)
    return change
  }
}
