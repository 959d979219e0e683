import type { CallChange, RingStopReason } from '#actions/calls/call_change'
import { counter, histogram } from '#metrics/registry'

/**
 * The ringing funnel, one count per ringed person: `sent` when their ring goes out, then exactly
 * one of answered, declined, missed (rang out) or cancelled (the call ended, or the caller hung
 * up, before they answered). Counted from a committed CallChange, so a ring two requests raced
 * for is counted once, for the transition that won. sent minus the four others is what still
 * rings. Per instance: sum() across instances.
 */
export const RING_OUTCOMES = ['sent', 'answered', 'declined', 'missed', 'cancelled'] as const
export type RingOutcome = (typeof RING_OUTCOMES)[number]

const OUTCOME_OF_STOP: Record<RingStopReason, Exclude<RingOutcome, 'sent'>> = {
  accepted: 'answered',
  accepted_elsewhere: 'answered',
  declined: 'declined',
  missed: 'missed',
  cancelled: 'cancelled',
  ended: 'cancelled',
}

const rings = counter({
  name: 'confab_rings_total',
  help: 'Rings, one per ringed person: sent, then answered, declined, missed (timed out) or cancelled (call over first)',
  labelNames: ['outcome'],
})
// Every outcome exists from the start (at 0), so rate() and ratios work before the first of each.
for (const outcome of RING_OUTCOMES) rings.inc({ outcome }, 0)

const ringAnswerSeconds = histogram({
  name: 'confab_ring_answer_seconds',
  help: 'Seconds from a ring going out to the ringed person answering it (to the second)',
  buckets: [1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 90, 120],
})

/** Counts what a committed call transition did to rings. */
export function recordRings(change: CallChange) {
  if (change.ringing.length > 0) rings.inc({ outcome: 'sent' }, change.ringing.length)
  for (const { reason } of change.ringsStopped) rings.inc({ outcome: OUTCOME_OF_STOP[reason] })
  for (const seconds of change.answeredAfterSeconds) ringAnswerSeconds.observe(seconds)
}
