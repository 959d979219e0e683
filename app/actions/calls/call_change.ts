import type { DateTime } from 'luxon'
import type Call from '#models/call'
import type CallParticipant from '#models/call_participant'
import type { NoticeTurn } from '#realtime/notice_order'

export type RingStopReason = 'accepted' | 'accepted_elsewhere' | 'declined' | 'cancelled' | 'missed' | 'ended'

/** Why someone left a call: the Leave button or frame, a lost connection, leaving the call's channel. */
export type LeaveReason = 'left' | 'timeout' | 'left_channel'

/**
 * What one call transition changed, collected inside its transaction and announced after the
 * commit (`announceCallChange()`, then CallNotifier and SyncCallSockets): who starts ringing, whose ringing
 * stops and why, who got a missed call, who left and why, and whether the call is over. A
 * transition that changed nothing produces no notices.
 */
export class CallChange {
  ringing: CallParticipant[] = []
  ringsStopped: Array<{ userId: number; reason: RingStopReason }> = []
  /** For each ring answered in this transition, how long it had rung (the ring→answer metric). */
  answeredAfterSeconds: number[] = []
  missedUserIds: number[] = []
  left: Array<{ userId: number; reason: LeaveReason }> = []
  ended = false
  started = false
  /** False when the request was a repeat (a second click) and nothing moved. */
  changed = true
  /** This change's place among its call's notices, taken by announceCallChange() after the commit. */
  noticeTurn: NoticeTurn | null = null

  constructor(public call: Call) {}

  static unchanged(call: Call) {
    const change = new CallChange(call)
    change.changed = false
    return change
  }

  stopRing(userId: number, reason: RingStopReason) {
    this.ringsStopped.push({ userId, reason })
  }

  /** The ringing person answered, `ringingSince` after their ring went out. */
  answerRing(userId: number, ringingSince: DateTime | null, now: DateTime) {
    this.stopRing(userId, 'accepted_elsewhere')
    if (ringingSince) this.answeredAfterSeconds.push(Math.max(0, now.diff(ringingSince, 'seconds').seconds))
  }

  /** Whether the call's sockets have to follow (someone left, or the call is over); rings alone do not. */
  get touchesSockets() {
    return this.changed && (this.ended || this.left.length > 0)
  }

  miss(userIds: number[], reason: RingStopReason) {
    for (const userId of userIds) {
      this.missedUserIds.push(userId)
      this.stopRing(userId, reason)
    }
  }
}
