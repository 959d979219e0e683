import { DateTime } from 'luxon'
import type User from '#models/user'
import Call from '#models/call'
import Recording from '#models/recording'
import RecordingConsent from '#models/recording_consent'
import { sqlDateTime } from '#helpers/sql_time'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { RecordingConflictException } from '#exceptions/recording_conflict_exception'
import liveRecorder, { askLater } from '#recording/live_recorder'

/**
 * A participant's yes or no to being recorded, once: the conditional update (`consented IS
 * NULL`) lets one answer through, a second is refused (409) whatever it says. A yes starts
 * Janus's recording of their publisher.
 */
export default class AnswerRecordingConsent {
  async handle(user: User, call: Call, recording: Recording, consented: boolean) {
    if (recording.state !== 'recording') throw RecordingConflictException.notRunning()
    const consent =
      (await RecordingConsent.findBy({ recordingId: recording.id, userId: user.id })) ??
      (call.isLive ? await askLater(recording, call.id, user.id) : null)
    if (!consent) throw CallConflictException.notInCall()
    const answered = await RecordingConsent.query()
      .where('id', consent.id)
      .whereNull('consented')
      .update({ consented, answeredAt: sqlDateTime(DateTime.now()) })
    if (Number(answered) !== 1) throw RecordingConflictException.alreadyAnswered()
    if (consented) await liveRecorder.consented(call, recording, user.id)
    else await liveRecorder.announce(call)
    return consent.refresh()
  }
}
