import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import { sqlDateTime } from '#helpers/sql_time'

export const CHART_DAYS = 14
const WORST_CALLS = 10

export type DayCount = { day: DateTime; calls: number }
export type WorstCall = {
  callId: number
  startedAt: DateTime
  kind: string
  participantIds: number[]
  worstLossPercent: number | null
  worstRttMs: number | null
  worstJitterMs: number | null
  relayed: boolean
}

/**
 * The Activity page's figures (docs/admin.md). Every query is a range on `calls.created_at`
 * (indexed), joined to a call's participants and quality rows through their `call_id` prefix
 * indexes, and aggregated by the database: the page costs the same with a year of history.
 * Counts: today (since midnight) and this week (since Monday); rates: the last 7 days.
 */
export default class SummarizeActivity {
  async handle(now = DateTime.now()) {
    const today = now.startOf('day')
    const since = now.minus({ days: 7 })
    const [callsToday, callsThisWeek, perDay, rings, connections, medianConnectMs, worstCalls] = await Promise.all([
      countCallsSince(today),
      countCallsSince(now.startOf('week')),
      callsPerDay(today.minus({ days: CHART_DAYS - 1 })),
      ringsSince(since),
      connectionsSince(since),
      medianConnectMsSince(since),
      worstCallsSince(since),
    ])
    return {
      callsToday,
      callsThisWeek,
      perDay,
      rings,
      answerRate: rings.total > 0 ? rings.answered / rings.total : null,
      connections,
      turnShare: connections.total > 0 ? connections.relayed / connections.total : null,
      medianConnectMs,
      worstCalls,
    }
  }
}

async function countCallsSince(start: DateTime) {
  const row = await db.from('calls').where('created_at', '>=', sqlDateTime(start)).count('* as total').first()
  return Number(row?.total ?? 0)
}

/** One entry per day of the chart, oldest first, days without calls included (at 0). */
async function callsPerDay(firstDay: DateTime): Promise<DayCount[]> {
  const rows = await db
    .from('calls')
    .where('created_at', '>=', sqlDateTime(firstDay))
    .select(db.raw('cast(date(created_at) as char) as day'))
    .count('* as total')
    .groupBy('day')
  const counts = new Map(rows.map((row) => [String(row.day).slice(0, 10), Number(row.total)]))
  return Array.from({ length: CHART_DAYS }, (_, index) => {
    const day = firstDay.plus({ days: index })
    return { day, calls: counts.get(day.toFormat('yyyy-MM-dd')) ?? 0 }
  })
}

/** Rings of calls started since then (still ringing ones left out) and how many were answered. */
async function ringsSince(start: DateTime) {
  const row = await db
    .from('call_participants')
    .whereIn('call_participants.call_id', callsSince(start))
    .where('call_participants.rang', true)
    .whereNot('call_participants.status', 'ringing')
    .count('* as total')
    .select(db.raw('sum(case when call_participants.joined_at is not null then 1 else 0 end) as answered'))
    .first()
  return { total: Number(row?.total ?? 0), answered: Number(row?.answered ?? 0) }
}

/** Reported connections (one per participant and peer) and how many went through TURN. */
async function connectionsSince(start: DateTime) {
  const row = await qualitiesOfCallsSince(start)
    .count('* as total')
    .select(db.raw('sum(case when call_qualities.relayed = ? then 1 else 0 end) as relayed', [true]))
    .first()
  return { total: Number(row?.total ?? 0), relayed: Number(row?.relayed ?? 0) }
}

/** The median of the first connect times: the middle one (or two) by ORDER BY ... OFFSET. */
async function medianConnectMsSince(start: DateTime) {
  const measured = () => qualitiesOfCallsSince(start).whereNotNull('call_qualities.connect_ms')
  const count = Number((await measured().count('* as total').first())?.total ?? 0)
  if (count === 0) return null
  const middle = await measured()
    .select('call_qualities.connect_ms')
    .orderBy('call_qualities.connect_ms')
    .offset(Math.floor((count - 1) / 2))
    .limit(count % 2 === 1 ? 1 : 2)
  return middle.reduce((sum, row) => sum + Number(row.connect_ms), 0) / middle.length
}

/** The calls whose connections lost the most packets, then had the longest round trips. */
async function worstCallsSince(start: DateTime): Promise<WorstCall[]> {
  const rows = await qualitiesOfCallsSince(start)
    .groupBy('call_qualities.call_id')
    .select('call_qualities.call_id')
    .max('call_qualities.loss_percent_max as loss')
    .max('call_qualities.rtt_ms_max as rtt')
    .max('call_qualities.jitter_ms_max as jitter')
    .select(db.raw('max(case when call_qualities.relayed = ? then 1 else 0 end) as relayed', [true]))
    .orderByRaw('coalesce(max(call_qualities.loss_percent_max), -1) desc, coalesce(max(call_qualities.rtt_ms_max), -1) desc')
    .orderBy('call_qualities.call_id', 'desc')
    .limit(WORST_CALLS)
  if (rows.length === 0) return []
  const ids = rows.map((row) => Number(row.call_id))
  const [calls, participants] = await Promise.all([
    Call.query().whereIn('id', ids),
    CallParticipant.query().whereIn('call_id', ids).whereNotNull('joined_at').select('call_id', 'user_id').orderBy('user_id'),
  ])
  const callsById = new Map(calls.map((call) => [call.id, call]))
  return rows.map((row) => {
    const call = callsById.get(Number(row.call_id))!
    return {
      callId: call.id,
      startedAt: call.createdAt,
      kind: call.kind,
      participantIds: participants.filter((participant) => participant.callId === call.id).map((participant) => participant.userId),
      worstLossPercent: row.loss === null ? null : Number(row.loss),
      worstRttMs: row.rtt === null ? null : Number(row.rtt),
      worstJitterMs: row.jitter === null ? null : Number(row.jitter),
      relayed: Number(row.relayed) === 1,
    }
  })
}

/**
 * The ids of the calls started since then, for `call_id IN (...)`: both databases walk the
 * creation-time index, then each call's rows through the `call_id` prefix index (with a join,
 * SQLite without statistics may scan the other table instead).
 */
function callsSince(start: DateTime) {
  return db.from('calls').where('created_at', '>=', sqlDateTime(start)).select('id')
}

function qualitiesOfCallsSince(start: DateTime) {
  return db.from('call_qualities').whereIn('call_qualities.call_id', callsSince(start))
}
