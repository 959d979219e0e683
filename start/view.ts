import edge from 'edge.js'

/** "754" seconds -> "12:34"; an hour or more -> "1:02:03". */
export function formatDuration(seconds: number | null) {
  if (seconds === null) return '–'
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = String(seconds % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

const PARTICIPANT_STATUS_LABELS: Record<string, string> = {
  ringing: 'Ringing…',
  joined: 'In the call',
  left: 'Left',
  declined: 'Declined',
  missed: 'Missed',
}

/** How the call room names a participant's status. */
export function participantStatusLabel(status: string) {
  return PARTICIPANT_STATUS_LABELS[status] ?? status
}

edge.global('formatDuration', formatDuration)
edge.global('participantStatusLabel', participantStatusLabel)
