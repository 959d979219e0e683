import { urlFor } from '@adonisjs/core/services/url_builder'
import type Recording from '#models/recording'

/** A recording as its participants' pages and API clients see it. */
export function serializeRecording(recording: Recording) {
  return {
    id: recording.id,
    callId: recording.callId,
    state: recording.state,
    startedBy: recording.startedById,
    startedAt: recording.startedAt.toISO(),
    stoppedAt: recording.stoppedAt?.toISO() ?? null,
    durationMs: recording.durationMs,
    byteSize: recording.byteSize,
    expiresAt: recording.expiresAt?.toISO() ?? null,
    failure: recording.state === 'failed' ? recording.failure : null,
    url: recording.state === 'ready' ? urlFor('recording_file.show', { id: recording.id }) : null,
  }
}
