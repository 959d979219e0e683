import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import callsConfig from '#config/calls'
import type User from '#models/user'
import type Channel from '#models/channel'
import Call, { type CallKind } from '#models/call'
import CallParticipant from '#models/call_participant'
import Membership from '#models/membership'
import Message from '#models/message'
import { CallChange } from '#actions/calls/call_change'
import JoinCall from '#actions/calls/join_call'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { announceCallChange } from '#actions/calls/announce_call_change'
import { isUniqueViolation } from '#helpers/unique_violation'
import { sqlDateTime } from '#helpers/sql_time'

export type StartedCall = { call: Call; change: CallChange; joinedExisting: boolean }

/**
 * Starts a call in a channel, or joins the channel's live call if there already is one (as
 * Slack huddles do): a channel never has two calls at once. The initiator is in the call at
 * once; every other member rings, unless the channel is too big to ring, in which case the call
 * is simply open and members see a "Join" banner.
 */
export default class StartCall {
  async handle(initiator: User, channel: Channel, kind: CallKind): Promise<StartedCall> {
    try {
      return await this.#startOrJoin(initiator, channel, kind)
    } catch (error) {
      // Two starts raced and the other one created the live call first: join it instead. Or
      // the live call we were about to join ended a moment ago: start a new one.
      if (!isUniqueViolation(error) && !(error instanceof CallConflictException)) throw error
      return await this.#startOrJoin(initiator, channel, kind)
    }
  }

  async #startOrJoin(initiator: User, channel: Channel, kind: CallKind): Promise<StartedCall> {
    const result = await db.transaction(async (trx) => {
      const live = await Call.liveIn(channel, trx)
      if (live) {
        const change = await new JoinCall().transition(trx, initiator, live.id)
        return { call: change.call, change, joinedExisting: true }
      }
      const change = await this.#create(trx, initiator, channel, kind)
      return { call: change.call, change, joinedExisting: false }
    })
    await announceCallChange(result.change)
    return result
  }

  async #create(trx: TransactionClientContract, initiator: User, channel: Channel, kind: CallKind) {
    const now = DateTime.now()
    const memberIds = (await Membership.query({ client: trx }).where('channel_id', channel.id).select('user_id')).map(
      (row) => row.userId
    )
    const inviteeIds = memberIds.filter((id) => id !== initiator.id)
    const rings = inviteeIds.length > 0 && memberIds.length <= callsConfig.ringMaxMembers

    const call = await Call.create(
      {
        channelId: channel.id,
        initiatorId: initiator.id,
        kind,
        status: rings ? 'ringing' : 'active',
        liveChannelId: channel.id,
        ringExpiresAt: rings ? now.plus({ seconds: callsConfig.ringTimeoutSeconds }) : null,
        answeredAt: rings ? null : now,
      },
      { client: trx }
    )
    // What the rings need, handed to CallNotifier so they go out without a query.
    call.$setRelated('initiator', initiator)
    call.$setRelated('channel', channel)
    const change = new CallChange(call)
    change.started = true

    await CallParticipant.create(
      { ...CallParticipant.mediaDefaults(kind), callId: call.id, userId: initiator.id, status: 'joined', invitedAt: now, joinedAt: now },
      { client: trx }
    )
    if (rings) {
      const busyIds = new Set(await usersInOtherLiveCalls(trx, inviteeIds, call.id))
      change.ringing = await ringInvitees(trx, call, inviteeIds, busyIds, now)
    }
    await Message.create({ channelId: channel.id, userId: initiator.id, body: '', callId: call.id }, { client: trx })
    return change
  }
}

/**
 * Every invitee's `ringing` row in one INSERT, read back as models for CallNotifier. The rings
 * go out only once this transaction commits, and `createMany` would send an INSERT per person.
 */
async function ringInvitees(trx: TransactionClientContract, call: Call, inviteeIds: number[], busyIds: Set<number>, now: DateTime) {
  const media = CallParticipant.mediaDefaults(call.kind)
  const at = sqlDateTime(now)
  await trx
    .insertQuery()
    .table(CallParticipant.table)
    .multiInsert(
      inviteeIds.map((userId) => ({
        call_id: call.id,
        user_id: userId,
        status: 'ringing',
        rang: true,
        busy: busyIds.has(userId),
        audio_enabled: media.audioEnabled,
        video_enabled: media.videoEnabled,
        screen_sharing: media.screenSharing,
        invited_at: at,
        created_at: at,
        updated_at: at,
      }))
    )
  return CallParticipant.query({ client: trx }).where({ callId: call.id, status: 'ringing' }).orderBy('id')
}

/** Which of these people are, right now, in another call that is still live. */
async function usersInOtherLiveCalls(trx: TransactionClientContract, userIds: number[], callId: number) {
  if (userIds.length === 0) return []
  const rows = await CallParticipant.query({ client: trx })
    .join('calls', 'calls.id', 'call_participants.call_id')
    .whereIn('call_participants.user_id', userIds)
    .where('call_participants.status', 'joined')
    .whereIn('calls.status', Call.LIVE_STATUSES)
    .whereNot('calls.id', callId)
    .select('call_participants.user_id')
  return rows.map((row) => row.userId)
}
