import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import type { CallChange, RingStopReason } from '#actions/calls/call_change'
import { CallConflictException } from '#exceptions/call_conflict_exception'

/**
 * The pieces every call transition shares. Each runs inside the caller's transaction, after the
 * call row was locked with `Call.lockForTransition`.
 */
export async function lockLiveCall(trx: TransactionClientContract, callId: number) {
  const call = await Call.lockForTransition(trx, callId)
  if (!call) throw CallConflictException.gone()
  if (!call.isLive) throw CallConflictException.ended(call)
  return call
}

export function participantOf(trx: TransactionClientContract, callId: number, userId: number) {
  return CallParticipant.query({ client: trx }).where({ callId, userId }).first()
}

/**
 * Whoever is still ringing gets a missed call: the conditional update only touches rows that
 * are still `ringing`, so a ring answered a moment earlier is never turned into a miss.
 */
export async function missStillRinging(
  trx: TransactionClientContract,
  change: CallChange,
  reason: RingStopReason
) {
  const ringing = await CallParticipant.query({ client: trx })
    .where({ callId: change.call.id, status: 'ringing' })
    .select('id', 'user_id')
  if (ringing.length === 0) return
  await CallParticipant.query({ client: trx })
    .whereIn('id', ringing.map((row) => row.id))
    .where('status', 'ringing')
    .update({ status: 'missed' })
  change.miss(ringing.map((row) => row.userId), reason)
}

export async function countWithStatus(trx: TransactionClientContract, callId: number, status: string) {
  const row = await CallParticipant.query({ client: trx }).where({ callId, status }).count('* as total').first()
  return Number(row?.$extras.total ?? 0)
}
