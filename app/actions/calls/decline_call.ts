import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type User from '#models/user'
import Channel from '#models/channel'
import CallParticipant from '#models/call_participant'
import { CallChange } from '#actions/calls/call_change'
import { countWithStatus, lockLiveCall, participantOf } from '#actions/calls/call_rules'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { announceCallChange } from '#actions/calls/announce_call_change'

/**
 * Declines a ringing call. In a two-person conversation that ends the call as `declined` and
 * tells the caller; in a group only this person stops ringing, and the call ends as `declined`
 * only when nobody is left to answer it.
 */
export default class DeclineCall {
  async handle(user: User, callId: number) {
    const change = await db.transaction((trx) => this.within(trx, user, callId))
    await announceCallChange(change)
    return change
  }

  /** The same, inside the caller's transaction; the caller announces the change after its commit. */
  async within(trx: TransactionClientContract, user: User, callId: number) {
    const call = await lockLiveCall(trx, callId)
    const participant = await participantOf(trx, call.id, user.id)
    if (participant?.status === 'declined') return CallChange.unchanged(call)
    if (participant?.status !== 'ringing') throw CallConflictException.notRinging()

    const change = new CallChange(call)
    const updated = await CallParticipant.query({ client: trx })
      .where({ id: participant.id, status: 'ringing' })
      .update({ status: 'declined' })
    if (Number(updated) === 0) throw CallConflictException.notRinging()
    change.stopRing(user.id, 'declined')

    if (call.status !== 'ringing') return change
    const channel = await Channel.findOrFail(call.channelId, { client: trx })
    const nobodyLeftToAnswer = (await countWithStatus(trx, call.id, 'ringing')) === 0
    if ((await isTwoPerson(channel)) || nobodyLeftToAnswer) {
      await call.finish(trx, 'declined', 'declined', user.id)
      change.ended = true
    }
    return change
  }
}

async function isTwoPerson(channel: Channel) {
  if (channel.isDirect) return true
  const row = await channel.related('memberships').query().count('* as total').first()
  return Number(row?.$extras.total ?? 0) <= 2
}

