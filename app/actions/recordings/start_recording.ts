import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import Recording from '#models/recording'
import RecordingConsent from '#models/recording_consent'
import { lockLiveCall } from '#actions/calls/call_rules'
import { RecordingConflictException } from '#exceptions/recording_conflict_exception'
import { recordingUnavailable } from '#recording/recording_availability'
import liveRecorder from '#recording/live_recorder'

/**
 * Starts recording a call: one running recording per call, and everyone in the call at this
 * moment is asked (no answer yet); nobody is recorded until they say yes. The call moves to the
 * SFU (Janus records there), and every page is told after the commit.
 */
export default class StartRecording {
  async handle(user: User, callId: number) {
    const unavailable = recordingUnavailable()
    if (unavailable) throw RecordingConflictException.unavailable(unavailable)
    const recording = await db.transaction(async (trx) => {
      const call = await lockLiveCall(trx, callId)
      const running = await Recording.query({ client: trx }).where({ callId: call.id, state: 'recording' }).first()
      if (running) throw RecordingConflictException.alreadyRunning()
      const now = DateTime.now()
      const created = await Recording.create({ callId: call.id, startedById: user.id, state: 'recording', startedAt: now, attempts: 0 }, { client: trx })
      const joined = await CallParticipant.query({ client: trx }).where({ callId: call.id, status: 'joined' })
      await RecordingConsent.createMany(
        joined.map((participant) => ({
          recordingId: created.id,
          callParticipantId: participant.id,
          userId: participant.userId,
          consented: null,
          askedAt: now,
        })),
        { client: trx }
      )
      return created
    })
    await liveRecorder.started(await Call.findOrFail(callId))
    return recording
  }
}
