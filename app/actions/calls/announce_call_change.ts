import type { CallChange } from '#actions/calls/call_change'
import CallStarted from '#events/call_started'
import CallUpdated from '#events/call_updated'
import CallEnded from '#events/call_ended'

/**
 * Dispatches the event matching what a committed call transition did (nothing for a no-op).
 * Apart from CallChange so that the events can name CallChange without an import cycle.
 */
export async function announceCallChange(change: CallChange) {
  if (!change.changed) return
  if (change.started) return CallStarted.dispatch(change)
  if (change.ended) return CallEnded.dispatch(change)
  return CallUpdated.dispatch(change)
}
