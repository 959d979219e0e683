import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import Recording from '#models/recording'
import CallPolicy from '#policies/call_policy'
import DeleteRecording from '#actions/recordings/delete_recording'
import { sendStoredFile } from '#helpers/stored_file_response'

/** A finished recording, for the people who were in its call only (anyone else: 404). */
export default class RecordingsController {
  /** `GET /recordings/:id/file`: the mixed WebM, with Range and `Cache-Control: private`. */
  async file(ctx: HttpContext) {
    const recording = await Recording.findForParticipant(ctx.auth.getUserOrFail(), ctx.params.id)
    if (recording.state !== 'ready' || !recording.storageKey || !recording.byteSize) {
      return ctx.response.notFound({ errors: [{ code: 'E_NOT_FOUND', message: 'This recording is not ready.' }] })
    }
    return sendStoredFile(ctx, { storageKey: recording.storageKey, byteSize: recording.byteSize, mimeType: 'video/webm' })
  }

  /** `DELETE /recordings/:id`: deleted before its time by whoever recorded it or started the call. */
  async destroy({ auth, params, bouncer, response }: HttpContext) {
    const recording = await Recording.findForParticipant(auth.getUserOrFail(), params.id)
    const call = await Call.findOrFail(recording.callId)
    await bouncer.with(CallPolicy).authorize('deleteRecording', call, recording)
    await new DeleteRecording().handle(recording)
    return response.noContent()
  }
}
