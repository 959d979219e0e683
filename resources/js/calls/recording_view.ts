import type { RecordingStatus } from '../../../app/signaling/protocol.js'

/**
 * What the call page shows of a recording (docs/recording.md), from its state alone: whether I
 * am asked (I have not answered yet), and the indicator's sentence naming who is recorded.
 */
export function isAsked(recording: RecordingStatus | null, selfId: number) {
  return Boolean(recording?.consents.some((consent) => consent.userId === selfId && consent.consented === null))
}

export function recordedSentence(recording: RecordingStatus | null) {
  if (!recording) return ''
  const names = recording.recorded.map((person) => person.name)
  const waiting = recording.consents.filter((consent) => consent.consented === null).length
  const who = names.length ? `recording ${names.join(', ')}` : 'nobody has agreed yet'
  return waiting ? `${who} (waiting for ${waiting} ${waiting === 1 ? 'answer' : 'answers'})` : who
}
