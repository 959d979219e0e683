import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type User from '#models/user'
import CallParticipant from '#models/call_participant'
import { CallChange } from '#actions/calls/call_change'
import { countWithStatus, lockLiveCall, participantOf } from '#actions/calls/call_rules'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import callsConfig from '#config/calls'
import { announceCallChange } from '#actions/calls/announce_call_change'

/**
 * Joins a live call: answering a ring, or joining from the channel's banner. The first answer
 * makes a ringing call `active`. Joining again is harmless; joining an ended or full call is a 409.
 */
export default class JoinCall {
  async handle(user: User, callId: number) {
    const change = await db.transaction((trx) => this.transition(trx, user, callId))
    await announceCallChange(change)
    return change
  }

  async transition(trx: TransactionClientContract, user: User, callId: number) {
    const call = await lockLiveCall(trx, callId)
    const now = DateTime.now()
    const participant = await participantOf(trx, call.id, user.id)
    if (participant?.status === 'joined') return CallChange.unchanged(call)
    // A full mesh sends every stream to everyone, an SFU has its own ceiling: CALL_MAX_PARTICIPANTS.
    if ((await countWithStatus(trx, call.id, 'joined')) >= callsConfig.maxParticipants) {
      throw CallConflictException.full(callsConfig.maxParticipants, callsConfig.meshOnly)
    }

    const change = new CallChange(call)
    if (participant) {
      if (participant.status === 'ringing') change.answerRing(user.id, participant.invitedAt, now)
      participant.useTransaction(trx)
      participant.merge({ status: 'joined', joinedAt: participant.joinedAt ?? now, leftAt: null })
      await participant.save()
    } else {
      await CallParticipant.create(
        { ...CallParticipant.mediaDefaults(call.kind), callId: call.id, userId: user.id, status: 'joined', invitedAt: now, joinedAt: now },
        { client: trx }
      )
    }

    if (call.status === 'ringing') {
      call.useTransaction(trx)
      call.merge({ status: 'active', answeredAt: now })
      await call.save()
    }
    return change
  }
}
