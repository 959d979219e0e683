import type CallStarted from '#events/call_started'
import ringTimer from '#services/ring_timer'

/** A started call's ring stops at its deadline. */
export default class ArmRingTimer {
  handle({ change }: CallStarted) {
    ringTimer.arm(change.call.id, change.call.ringExpiresAt)
  }
}
