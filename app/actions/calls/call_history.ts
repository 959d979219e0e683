import { DateTime } from 'luxon'
import type User from '#models/user'
import CallParticipant from '#models/call_participant'
import { sqlDateTime } from '#helpers/sql_time'
import { historyStatusLabel } from '#helpers/display_text'

export const HISTORY_PAGE_SIZE = 25

type HistoryQuery = { tab?: 'missed' | 'all'; before?: number }

/**
 * One page of a person's call history, newest first, paged by call id (keyset, so the
 * thousandth page costs what the first does). Opening the Missed tab marks its calls as seen.
 */
export default class CallHistory {
  async handle(user: User, { tab, before }: HistoryQuery) {
    const unseenBefore = await CallParticipant.unseenMissedCount(user.id)
    const activeTab = tab ?? (unseenBefore > 0 ? 'missed' : 'all')

    const rows = await CallParticipant.query()
      // The person's own row gives the tab its status and "new" mark only: its five other
      // timestamps were parsed for nothing, 26 rows a page (bench: pages).
      .select('id', 'call_id', 'user_id', 'status', 'missed_seen_at')
      .where('user_id', user.id)
      .if(activeTab === 'missed', (query) => query.where('status', 'missed'))
      .if(before, (query) => query.where('call_id', '<', before!))
      .orderBy('call_id', 'desc')
      .limit(HISTORY_PAGE_SIZE + 1)
      // Only the columns the rows and the JSON shape show: a page hydrates ~200 records, and
      // every timestamp left out is a date the server does not parse (bench: history).
      .preload('call', (query) =>
        query
          .select('id', 'channel_id', 'initiator_id', 'kind', 'status', 'ring_expires_at', 'answered_at', 'ended_at', 'ended_by_id', 'end_reason', 'created_at')
          .preload('channel', (channel) => channel.select('id', 'kind', 'name'))
          .preload('initiator', (initiator) => initiator.select('id', 'full_name'))
          .preload('participants', (participants) =>
            participants
              .select('id', 'call_id', 'user_id', 'status', 'busy', 'joined_at', 'left_at', 'audio_enabled', 'video_enabled', 'screen_sharing')
              .preload('user', (user) => user.select('id', 'full_name'))
          )
      )
    const hasMore = rows.length > HISTORY_PAGE_SIZE
    const mine = rows.slice(0, HISTORY_PAGE_SIZE)

    if (activeTab === 'missed' && unseenBefore > 0) {
      await CallParticipant.query()
        .where({ userId: user.id, status: 'missed' })
        .whereNull('missed_seen_at')
        .update({ missedSeenAt: sqlDateTime(DateTime.now()) })
    }

    return {
      tab: activeTab,
      unseenMissedCount: activeTab === 'missed' ? 0 : unseenBefore,
      nextBefore: hasMore ? mine.at(-1)!.callId : null,
      entries: mine.map((participant) => {
        const call = participant.call
        const others = call.participants.filter((other) => other.userId !== user.id).map((other) => other.user.fullName)
        return {
          call,
          myStatus: participant.status,
          isNew: participant.status === 'missed' && participant.missedSeenAt === null,
          direction: call.initiatorId === user.id ? ('outgoing' as const) : ('incoming' as const),
          statusLabel: historyStatusLabel(call.status, participant.status, call.initiatorId === user.id),
          // A direct message is named after the other person, who is in the call's list.
          channelTitle: call.channel.isDirect ? (others[0] ?? 'Direct message') : `#${call.channel.name}`,
          others,
        }
      }),
    }
  }
}
