import type { CallChange } from '#actions/calls/call_change'
import CallStarted from '#events/call_started'
import CallUpdated from '#events/call_updated'
import CallEnded from '#events/call_ended'
import { NoticeOrder } from '#realtime/notice_order'

/** The order in which each call's notices go out: the order its transitions committed. */
export const callNotices = new NoticeOrder()

/**
 * Dispatches the event matching what a committed call transition did (nothing for a no-op).
 * The change takes its turn among the call's notices here, synchronously after the commit:
 * listeners of two transitions run concurrently, and without the turn a slower CallNotifier
 * (a start loading the call) could send a ring after a faster one (a join) sent its stop.
 * Apart from CallChange so that the events can name CallChange without an import cycle.
 */
export async function announceCallChange(change: CallChange) {
  if (!change.changed) return
  const turn = callNotices.take(change.call.id)
  change.noticeTurn = turn
  try {
    if (change.started) return await CallStarted.dispatch(change)
    if (change.ended) return await CallEnded.dispatch(change)
    return await CallUpdated.dispatch(change)
  } finally {
    // CallNotifier ends its turn itself; this covers a dispatch that never reached it.
    turn.done()
  }
}
