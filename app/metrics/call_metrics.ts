import logger from '@adonisjs/core/services/logger'
import Call, { type CallKind } from '#models/call'
import { bounded, counter, gauge, histogram } from '#metrics/registry'

const KINDS: readonly CallKind[] = ['audio', 'video']

const callsStarted = counter({
  name: 'confab_calls_started_total',
  help: 'Calls started, by kind',
  labelNames: ['kind'],
})
const callsEnded = counter({
  name: 'confab_calls_ended_total',
  help: 'Calls over (ended, missed, declined or cancelled), by kind',
  labelNames: ['kind'],
})
for (const kind of KINDS) {
  callsStarted.inc({ kind }, 0)
  callsEnded.inc({ kind }, 0)
}

const callParticipants = histogram({
  name: 'confab_call_participants',
  help: 'People who were in a call at some point (the initiator included), observed when it is over',
  buckets: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16],
})

const callDurationSeconds = histogram({
  name: 'confab_call_duration_seconds',
  help: 'Seconds from the first answer to the end, for calls that were answered, by kind',
  labelNames: ['kind'],
  buckets: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400],
})

/**
 * Calls ringing or active right now, read from the database at each scrape: global, so every
 * instance exports the same value (aggregate with max(), never sum(); docs/deploy.md). NaN
 * when the database does not answer, rather than a stale or a wrong 0.
 */
gauge({
  name: 'confab_live_calls',
  help: 'Calls ringing or active now, from the database (global: the same on every instance)',
  async collect() {
    try {
      const row = await Call.query().whereIn('status', Call.LIVE_STATUSES).count('* as total').first()
      this.set(Number(row?.$extras.total ?? 0))
    } catch (error) {
      logger.warn({ err: error }, 'confab_live_calls: the database did not answer')
      this.set(Number.NaN)
    }
  },
})

/** A call was started. */
export function recordCallStarted(call: Call) {
  callsStarted.inc({ kind: bounded(KINDS, call.kind) })
}

/** A call is over; `peopleWhoJoined` counts everyone who was in it at some point. */
export function recordCallEnded(call: Call, peopleWhoJoined: number) {
  const kind = bounded(KINDS, call.kind)
  callsEnded.inc({ kind })
  callParticipants.observe(peopleWhoJoined)
  const duration = call.durationSeconds()
  if (duration !== null) callDurationSeconds.observe({ kind }, duration)
}
