import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import type Channel from '#models/channel'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import Membership from '#models/membership'
import LeaveCall from '#actions/calls/leave_call'
import DeclineCall from '#actions/calls/decline_call'
import type { CallChange } from '#actions/calls/call_change'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { announceCallChange } from '#actions/calls/announce_call_change'
import liveStreams from '#services/live_streams'

/**
 * Removes `user` from `channel`. Their messages stay in the channel's history. A live call of the
 * channel goes with it: someone in it leaves it (exactly as the Leave button does, so the last
 * one out ends it), and a ring stops as if declined. All in one transaction, so nobody is ever
 * out of the channel and still in its call; the call's sockets and the person's event streams
 * follow after the commit.
 */
export default class LeaveChannel {
  async handle(user: User, channel: Channel) {
    const changes = await db.transaction(async (trx) => {
      const places = await CallParticipant.query({ client: trx })
        .where('user_id', user.id)
        .whereIn('status', ['joined', 'ringing'])
        .whereHas('call', (query) => query.where('channel_id', channel.id).whereIn('status', Call.LIVE_STATUSES))
        .select('call_id', 'status')
      const changes: CallChange[] = []
      // Before the membership goes: a declined ring asks how many people the channel has.
      for (const place of places) {
        try {
          changes.push(
            place.status === 'joined'
              ? await new LeaveCall().within(trx, user, place.callId, 'left_channel')
              : await new DeclineCall().within(trx, user, place.callId)
          )
        } catch (error) {
          // The call ended (or they left it) since the read above: nothing left to leave.
          if (!(error instanceof CallConflictException)) throw error
        }
      }
      await Membership.query({ client: trx }).where({ channelId: channel.id, userId: user.id }).delete()
      return changes
    })
    for (const change of changes) await announceCallChange(change)
    // Transmit checks the right to a channel only at subscription: their open pages stop
    // receiving it now, on whichever instance holds them, not at their next reconnect.
    await liveStreams.unsubscribeEverywhere(user.id, channel.broadcastChannel)
  }
}
