import { urlFor } from '@adonisjs/core/services/url_builder'
import type Call from '#models/call'
import CallParticipant from '#models/call_participant'
import Recording from '#models/recording'
import { broadcastToUser } from '#realtime/broadcast'

/** A finished recording is told to the people who were in its call, and nobody else. */
export async function broadcastRecordingReady(call: Call) {
  const recording = await Recording.query().where({ callId: call.id, state: 'ready' }).orderBy('id', 'desc').first()
  if (!recording) return
  const participants = await CallParticipant.query().where('call_id', call.id).whereNotNull('joined_at')
  const url = urlFor('recording_file.show', { id: recording.id })
  for (const { userId } of participants) {
    broadcastToUser(userId, { type: 'call.recording_ready', callId: call.id, recordingId: recording.id, url })
  }
}
