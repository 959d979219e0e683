import vine from '@vinejs/vine'
import { recordId } from '#validators/rules'
import { CANDIDATE_TYPES, MAX_CONNECT_MS } from '#helpers/quality_report'

/** A measurement that may be missing (the browser had no figure yet), within [0, max]. */
const figure = (max: number) => vine.number().min(0).max(max).nullable().optional()
/** A count since the page's previous report (a 30 s interval at 60 fps is 1,800 frames). */
const frames = () => vine.number().withoutDecimals().min(0).max(1_000_000).optional()
const pixels = () => vine.number().withoutDecimals().min(1).max(16_384).nullable().optional()

/**
 * One browser's summary of its connection to one other participant (docs/calls.md, "Call
 * quality"). The peer must be another participant of the same call (`meta`).
 */
export const callQualityReportValidator = vine.withMetaData<{ callId: number; userId: number }>().create({
  peerUserId: recordId().exists(async (db, value, field) => {
    if (value === field.meta.userId) return false
    const row = await db.from('call_participants').where({ call_id: field.meta.callId, user_id: value }).select('id').first()
    return Boolean(row)
  }),
  connectMs: vine.number().withoutDecimals().min(0).max(MAX_CONNECT_MS).nullable().optional(),
  localCandidateType: vine.enum(CANDIDATE_TYPES),
  remoteCandidateType: vine.enum(CANDIDATE_TYPES),
  rttMs: figure(60_000),
  lossPercent: figure(100),
  jitterMs: figure(60_000),
  framesDecoded: frames(),
  framesDropped: frames(),
  frameWidth: pixels(),
  frameHeight: pixels(),
})

export type CallQualityReport = Awaited<ReturnType<(typeof callQualityReportValidator)['validate']>>
