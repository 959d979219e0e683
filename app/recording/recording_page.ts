import type { HttpContext } from '@adonisjs/core/http'
import recordingConfig from '#config/recording'
import type Call from '#models/call'
import type CallParticipant from '#models/call_participant'
import Recording from '#models/recording'
import CallPolicy from '#policies/call_policy'
import { recordingUnavailable } from '#recording/recording_availability'

/**
 * What the call page shows of recording: whether I may start one here (the policy, and a
 * server that can record), and the call's recordings if I was in the call (nobody else sees them).
 */
export async function recordingPageData(bouncer: HttpContext['bouncer'], call: Call, me: CallParticipant | undefined) {
  const canStartRecording = recordingUnavailable() === null && (await bouncer.with(CallPolicy).allows('startRecording', call))
  const recordings = me?.joinedAt ? await Recording.query().where('call_id', call.id).orderBy('id') : []
  return { canStartRecording, recordings, recordingRetentionDays: recordingConfig.retentionDays }
}
