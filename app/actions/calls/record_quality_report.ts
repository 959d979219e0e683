import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import type Call from '#models/call'
import CallQuality from '#models/call_quality'
import type { CallQualityReport } from '#validators/call_quality_report'
import { isUniqueViolation } from '#helpers/unique_violation'
import { sqlDateTime } from '#helpers/sql_time'
import { observeQualityReport } from '#metrics/call_quality_metrics'
import { pathType } from '#helpers/quality_report'

/**
 * Folds one browser report into the aggregate of (call, reporting participant, peer): an
 * UPDATE of the row in one statement (worst values, sums and counts computed by the database,
 * so two reports at once both count); when there is no row yet, an INSERT, and if a racing
 * report inserted it first, the UPDATE after all. The report that inserts is the first: only
 * it sets the connect time and counts the connection in the metrics.
 */
export default class RecordQualityReport {
  async handle(call: Call, user: User, report: CallQualityReport) {
    const key = { call_id: call.id, user_id: user.id, peer_user_id: report.peerUserId }
    let first = false
    if (!(await this.#update(key, report))) {
      try {
        await CallQuality.create(initialRow(key, report))
        first = true
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        await this.#update(key, report)
      }
    }
    observeQualityReport(report, first)
    return { first }
  }

  async #update(key: Record<string, number>, report: CallQualityReport) {
    const updated = await db
      .from('call_qualities')
      .where(key)
      .update({
        samples: db.raw('samples + 1'),
        local_candidate_type: report.localCandidateType,
        remote_candidate_type: report.remoteCandidateType,
        relayed: db.raw('case when ? = 1 then 1 else relayed end', [isRelayed(report) ? 1 : 0]),
        ...folded('rtt_ms', 'rtt_samples', report.rttMs),
        ...folded('loss_percent', 'loss_samples', report.lossPercent),
        ...folded('jitter_ms', 'jitter_samples', report.jitterMs),
        frames_decoded: db.raw('frames_decoded + ?', [report.framesDecoded ?? 0]),
        frames_dropped: db.raw('frames_dropped + ?', [report.framesDropped ?? 0]),
        ...(report.frameWidth && report.frameHeight ? { frame_width: report.frameWidth, frame_height: report.frameHeight } : {}),
        updated_at: sqlDateTime(),
      })
    return Number(Array.isArray(updated) ? updated[0] : updated) > 0
  }
}

function isRelayed(report: CallQualityReport) {
  return pathType(report.localCandidateType, report.remoteCandidateType) === 'relay'
}

/** The SET clauses that fold one figure into its worst value, sum and count (nothing if absent). */
function folded(prefix: string, countColumn: string, value: number | null | undefined) {
  if (typeof value !== 'number') return {}
  const max = `${prefix}_max`
  return {
    [max]: db.raw(`case when ?? is null or ?? < ? then ? else ?? end`, [max, max, value, value, max]),
    [`${prefix}_sum`]: db.raw(`?? + ?`, [`${prefix}_sum`, value]),
    [countColumn]: db.raw(`?? + 1`, [countColumn]),
  }
}

function initialRow(key: { call_id: number; user_id: number; peer_user_id: number }, report: CallQualityReport) {
  const has = (value: number | null | undefined): value is number => typeof value === 'number'
  return {
    callId: key.call_id,
    userId: key.user_id,
    peerUserId: key.peer_user_id,
    samples: 1,
    connectMs: report.connectMs ?? null,
    localCandidateType: report.localCandidateType,
    remoteCandidateType: report.remoteCandidateType,
    relayed: isRelayed(report),
    rttMsMax: report.rttMs ?? null,
    rttMsSum: report.rttMs ?? 0,
    rttSamples: has(report.rttMs) ? 1 : 0,
    lossPercentMax: report.lossPercent ?? null,
    lossPercentSum: report.lossPercent ?? 0,
    lossSamples: has(report.lossPercent) ? 1 : 0,
    jitterMsMax: report.jitterMs ?? null,
    jitterMsSum: report.jitterMs ?? 0,
    jitterSamples: has(report.jitterMs) ? 1 : 0,
    framesDecoded: report.framesDecoded ?? 0,
    framesDropped: report.framesDropped ?? 0,
    frameWidth: report.frameWidth && report.frameHeight ? report.frameWidth : null,
    frameHeight: report.frameWidth && report.frameHeight ? report.frameHeight : null,
  }
}
