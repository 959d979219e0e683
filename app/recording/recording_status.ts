import Recording from '#models/recording'
import RecordingConsent from '#models/recording_consent'
import type { RecordingStatus } from '#signaling/protocol'

/** The call's running recording as pages show it (the `recording` frame, `call.recording` SSE), or null. */
export async function recordingStatusOf(callId: number): Promise<RecordingStatus | null> {
  const recording = await Recording.runningFor(callId)
  if (!recording) return null
  const consents = await RecordingConsent.query().where('recording_id', recording.id).preload('user').orderBy('id')
  const people = consents.map((consent) => ({ userId: consent.userId, name: consent.user.fullName, consented: consent.consented }))
  return {
    id: recording.id,
    startedBy: recording.startedById,
    startedAt: recording.startedAt.toISO()!,
    consents: people,
    recorded: people.filter((person) => person.consented === true).map(({ userId, name }) => ({ userId, name })),
  }
}
