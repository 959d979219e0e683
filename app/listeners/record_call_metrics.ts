import type CallStarted from '#events/call_started'
import type CallUpdated from '#events/call_updated'
import type CallEnded from '#events/call_ended'
import CallParticipant from '#models/call_participant'
import { recordRings } from '#metrics/ring_metrics'
import { recordCallEnded, recordCallStarted } from '#metrics/call_metrics'

/**
 * Counts a committed call transition in the Prometheus metrics (rings, calls started and over).
 * Events are only dispatched after the commit and only for a change that moved something, so
 * each ring and each call is counted once, by the transition that won.
 */
export default class RecordCallMetrics {
  async handle({ change }: CallStarted | CallUpdated | CallEnded) {
    recordRings(change)
    if (change.started) recordCallStarted(change.call)
    if (change.ended) recordCallEnded(change.call, await CallParticipant.countWhoJoined(change.call.id))
  }
}
