/*
| How Confab words things on screen, for the server's templates and the browser bundle alike
| (resources/js imports this file): pure functions and constants only, no imports.
*/

/** "Alice Martin" -> "AM", for avatars and call tiles. */
export function initials(fullName: string) {
  return fullName
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('')
}

/** 754 seconds -> "12:34"; an hour or more -> "1:02:03"; never answered (null) -> "–". */
export function formatDuration(seconds: number | null) {
  if (seconds === null) return '–'
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = String(seconds % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

const CALL_STATUS_LABELS: Record<string, string> = {
  ringing: 'Ringing…',
  active: 'In progress',
  ended: 'Ended',
  missed: 'No answer',
  declined: 'Declined',
  cancelled: 'Cancelled',
}

/** How the call room names the call's status. */
export function callStatusLabel(status: string) {
  return CALL_STATUS_LABELS[status] ?? status
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

const OUTGOING_LABELS: Record<string, string> = { ended: 'Answered', missed: 'No answer', declined: 'Declined', cancelled: 'Cancelled' }
const INCOMING_LABELS: Record<string, string> = { missed: 'Missed', declined: 'Declined' }

/** The call history's Status column, from the caller's (outgoing) or the callee's side. */
export function historyStatusLabel(callStatus: string, myStatus: string, outgoing: boolean) {
  if (callStatus === 'ringing' || callStatus === 'active') return 'In progress'
  if (outgoing) return OUTGOING_LABELS[callStatus] ?? callStatus
  return INCOMING_LABELS[myStatus] ?? 'Answered'
}

const ENDED_NOTICES: Record<string, string> = {
  ended_by_initiator: 'The call was ended for everyone.',
  everyone_left: 'The call ended: everyone left.',
  no_answer: 'No answer.',
  declined: 'The call was declined.',
  cancelled: 'The call was cancelled.',
}

/** The live call room's notice when the call ends under it, by end reason. */
export function endedNotice(reason: string | null) {
  return ENDED_NOTICES[reason ?? ''] ?? 'The call has ended.'
}
