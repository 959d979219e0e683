import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type User from '#models/user'
import { CallChange, type LeaveReason } from '#actions/calls/call_change'
import { countWithStatus, lockLiveCall, missStillRinging, participantOf } from '#actions/calls/call_rules'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { announceCallChange } from '#actions/calls/announce_call_change'

/**
 * Leaves a call. When the last person in it leaves, the call ends (`everyone_left`) and whoever
 * is still ringing gets a missed call; if that last person is the initiator of a call nobody
 * answered yet, the call is `cancelled`. `reason` says why, for the others in the call.
 */
export default class LeaveCall {
  async handle(user: User, callId: number, reason: LeaveReason = 'left') {
    const change = await db.transaction((trx) => this.within(trx, user, callId, reason))
    await announceCallChange(change)
    return change
  }

  /** The same, inside the caller's transaction; the caller announces the change after its commit. */
  async within(trx: TransactionClientContract, user: User, callId: number, reason: LeaveReason = 'left') {
    const call = await lockLiveCall(trx, callId)
    const participant = await participantOf(trx, call.id, user.id)
    if (participant?.status === 'left') return CallChange.unchanged(call)
    if (participant?.status !== 'joined') throw CallConflictException.notInCall()

    const change = new CallChange(call)
    participant.useTransaction(trx)
    participant.merge({ status: 'left', leftAt: DateTime.now() })
    await participant.save()
    change.left.push({ userId: user.id, reason })

    if ((await countWithStatus(trx, call.id, 'joined')) > 0) return change

    const neverAnswered = call.status === 'ringing'
    await missStillRinging(trx, change, neverAnswered ? 'cancelled' : 'ended')
    if (neverAnswered) await call.finish(trx, 'cancelled', 'cancelled', user.id)
    else await call.finish(trx, 'ended', 'everyone_left')
    change.ended = true
    return change
  }
}
