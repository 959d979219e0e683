import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import Recording from '#models/recording'
import CallParticipant from '#models/call_participant'
import CallPolicy from '#policies/call_policy'
import StartRecording from '#actions/recordings/start_recording'
import StopRecording from '#actions/recordings/stop_recording'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { RecordingConflictException } from '#exceptions/recording_conflict_exception'
import { recordingStatusOf } from '#recording/recording_status'
import { serializeRecording } from '#recording/recording_serializer'

/** `/calls/:id/recording` (the running one: start, state, stop) and `/calls/:id/recordings` (finished ones). */
export default class CallRecordingsController {
  /** `GET /calls/:id/recording`: the running recording's state (what the `recording` frame says), for members of the channel. */
  async show({ auth, params, response }: HttpContext) {
    const call = await Call.findForMember(auth.getUserOrFail(), params.id)
    return response.ok({ recording: await recordingStatusOf(call.id) })
  }

  /** `POST /calls/:id/recording`: start recording (CallPolicy.startRecording). */
  async store({ auth, params, bouncer, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const call = await Call.findForMember(user, params.id)
    if (!call.isLive) throw CallConflictException.ended(call)
    await bouncer.with(CallPolicy).authorize('startRecording', call)
    await new StartRecording().handle(user, call.id)
    return response.created({ recording: await recordingStatusOf(call.id) })
  }

  /** `DELETE /calls/:id/recording`: stop it; post-processing follows. */
  async destroy({ auth, params, bouncer, response }: HttpContext) {
    const call = await Call.findForMember(auth.getUserOrFail(), params.id)
    const recording = await Recording.runningFor(call.id)
    if (!recording) throw RecordingConflictException.notRunning()
    await bouncer.with(CallPolicy).authorize('stopRecording', call, recording)
    await new StopRecording().handle(call, recording)
    return response.ok({ recording: serializeRecording(await recording.refresh()) })
  }

  /** `GET /calls/:id/recordings`: the call's recordings, for the people who were in it only (anyone else: 404). */
  async index({ auth, params, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const call = await Call.findForMember(user, params.id)
    const participant = await CallParticipant.query().where({ callId: call.id, userId: user.id }).whereNotNull('joined_at').first()
    if (!participant) return response.notFound({ errors: [{ code: 'E_NOT_FOUND', message: 'No such call recordings.' }] })
    const recordings = await Recording.query().where('call_id', call.id).orderBy('id')
    return response.ok({ recordings: recordings.map(serializeRecording) })
  }
}
