import type Call from '#models/call'
import type CallParticipant from '#models/call_participant'
import CallStarted from '#events/call_started'
import CallUpdated from '#events/call_updated'
import CallEnded from '#events/call_ended'

export type RingStopReason = 'accepted' | 'accepted_elsewhere' | 'declined' | 'cancelled' | 'missed' | 'ended'

/**
 * What one call transition changed, collected inside its transaction and announced after the
 * commit (`announce()`, then CallNotifier): who starts ringing, whose ringing stops and why, who got a missed
 * call, and whether the call is over. A transition that changed nothing produces no notices.
 */
export class CallChange {
  ringing: CallParticipant[] = []
  ringsStopped: Array<{ userId: number; reason: RingStopReason }> = []
  missedUserIds: number[] = []
  ended = false
  started = false
  /** False when the request was a repeat (a second click) and nothing moved. */
  changed = true

  constructor(public call: Call) {}

  static unchanged(call: Call) {
    const change = new CallChange(call)
    change.changed = false
    return change
  }

  stopRing(userId: number, reason: RingStopReason) {
    this.ringsStopped.push({ userId, reason })
  }

  /** Dispatches the event matching what the committed transition did (nothing for a no-op). */
  async announce() {
    if (!this.changed) return
    if (this.started) return CallStarted.dispatch(this)
    if (this.ended) return CallEnded.dispatch(this)
    return CallUpdated.dispatch(this)
  }

  miss(userIds: number[], reason: RingStopReason) {
    for (const userId of userIds) {
      this.missedUserIds.push(userId)
      this.stopRing(userId, reason)
    }
  }
}
