import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Call from '#models/call'
import { CallChange } from '#actions/calls/call_change'
import { missStillRinging } from '#actions/calls/call_rules'
import { sqlDateTime } from '#helpers/sql_time'
import { announceCallChange } from '#actions/calls/announce_call_change'

/**
 * Ends the ringing phase of calls past their deadline: whoever is still ringing gets a missed
 * call, and a call nobody answered ends as `missed` ("No answer" for the caller).
 *
 * Runs from an in-process timer (prompt) and from a periodic sweeper (survives restarts and
 * other instances). Each call is expired under its row lock and only if its deadline is still
 * set and past, so however many runners race, a ring expires exactly once.
 */
export default class ExpireRings {
  /**
   * Expires every ring whose deadline has passed; returns the calls it changed. A call that
   * fails (logged) does not stop the others: they would otherwise ring on at every sweep.
   */
  async sweep(now: DateTime = DateTime.now()) {
    const due = await Call.query()
      .whereNotNull('ring_expires_at')
      .where('ring_expires_at', '<=', sqlDateTime(now))
      .orderBy('ring_expires_at')
      .select('id')
      .limit(200)
    const changes: CallChange[] = []
    for (const { id } of due) {
      try {
        const change = await this.expire(id, now)
        if (change) changes.push(change)
      } catch (error) {
        logger.error({ err: error, callId: id }, 'ring expiry failed for one call')
      }
    }
    return changes
  }

  /** Expires one call's ringing if it is due; null when there was nothing (left) to do. */
  async expire(callId: number, now: DateTime = DateTime.now()) {
    const change = await db.transaction(async (trx) => {
      const call = await Call.lockForTransition(trx, callId)
      if (!call?.ringExpiresAt || call.ringExpiresAt > now) return null

      const change = new CallChange(call)
      await missStillRinging(trx, change, 'missed')
      if (call.status === 'ringing') {
        await call.finish(trx, 'missed', 'no_answer')
        change.ended = true
      } else {
        call.useTransaction(trx)
        call.ringExpiresAt = null
        await call.save()
      }
      change.changed = change.ended || change.missedUserIds.length > 0
      return change
    })
    if (change) await announceCallChange(change)
    return change
  }
}
