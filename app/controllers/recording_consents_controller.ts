import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import Recording from '#models/recording'
import AnswerRecordingConsent from '#actions/recordings/answer_recording_consent'
import { recordingConsentValidator } from '#validators/recording'

/** `POST /recordings/:id/consent`: my yes or no to being recorded, once (a second answer: 409). */
export default class RecordingConsentsController {
  async store({ auth, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const { consented } = await request.validateUsing(recordingConsentValidator)
    const recording = await Recording.findForParticipant(user, params.id)
    const call = await Call.findOrFail(recording.callId)
    const consent = await new AnswerRecordingConsent().handle(user, call, recording, consented)
    return response.ok({ consent: { recordingId: recording.id, userId: user.id, consented: consent.consented, answeredAt: consent.answeredAt?.toISO() } })
  }
}
