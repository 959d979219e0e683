/*
| Every payload Confab broadcasts over Transmit (SSE), as one typed map shared by the server
| (app/listeners) and the browser (resources/js). Plain types and constants only, so the browser
| bundle can import it, as it imports app/signaling/protocol.ts for the call socket's frames.
| Described for humans in docs/calls.md ("Live updates") and docs/chat.md.
*/
import type { RecordingStatus } from '../signaling/protocol.js'

/** The Transmit channels, by name. */
export const SseChannel = {
  /** One person's own channel: rings, missed calls, the end of their calls. */
  user: (userId: number) => `users/${userId}`,
  /** A Confab channel's members: messages and the channel's calls. */
  channel: (channelId: number) => `channels/${channelId}`,
}

export type CallKindName = 'audio' | 'video'
export type CallStatusName = 'ringing' | 'active' | 'ended' | 'missed' | 'declined' | 'cancelled'
export type CallEndReasonName = 'everyone_left' | 'ended_by_initiator' | 'no_answer' | 'declined' | 'cancelled'
export type ParticipantStatusName = 'ringing' | 'joined' | 'left' | 'declined' | 'missed'
export type RingStopReasonName = 'accepted' | 'accepted_elsewhere' | 'declined' | 'cancelled' | 'missed' | 'ended'

/** Who started a call: built once, by `callerOf` on the server. */
export type CallerSummary = { id: number; name: string }

/** The channel a ring or missed call belongs to (a direct message has no name). */
export type ChannelSummary = { id: number; name: string | null; kind: string }

/** One participant as the JSON routes and `channels/:id` events show it. */
export type ParticipantSummary = {
  userId: number
  name: string | null
  status: ParticipantStatusName
  busy: boolean
  joinedAt: string | null
  leftAt: string | null
  audio: boolean
  video: boolean
  screen: boolean
}

/** The whole call, as the JSON routes and `channels/:id` events show it (serializeCall). */
export type CallSummary = {
  id: number
  channelId: number
  kind: CallKindName
  status: CallStatusName
  initiator: CallerSummary | null
  ringExpiresAt: string | null
  answeredAt: string | null
  endedAt: string | null
  endedById: number | null
  endReason: CallEndReasonName | null
  durationSeconds: number | null
  participants: ParticipantSummary[]
}

/** A ring waiting for my answer; `GET /calls/ringing` lists rings in this shape too. */
export type RingPayload = {
  type: 'call.ringing'
  callId: number
  kind: CallKindName
  channel: ChannelSummary
  caller: CallerSummary | null
  ringExpiresAt: string | null
  busy: boolean
}

/** What `users/:id` carries, by `type`. */
export type UserEvents = {
  'call.ringing': RingPayload
  'call.ring_stopped': { type: 'call.ring_stopped'; callId: number; reason: RingStopReasonName }
  'call.missed': { type: 'call.missed'; callId: number; caller: CallerSummary | null; channel: ChannelSummary; unseenCount: number }
  'call.ended': { type: 'call.ended'; callId: number; status: CallStatusName; reason: CallEndReasonName | null; endedBy: number | null }
  /** A recording of a call I was in is ready to watch (only its participants are told). */
  'call.recording_ready': { type: 'call.recording_ready'; callId: number; recordingId: number; url: string }
}
export type UserEvent = UserEvents[keyof UserEvents]

/** A timeline entry, rendered by the same fragment the page uses (frags/message). */
export type MessagePayload = { type: 'message.posted' | 'message.updated'; id: number; authorId: number | null; html: string }

/** A message was deleted by its author: every page removes `#message-<id>` (docs/media_messages.md). */
export type MessageDeletedPayload = { type: 'message.deleted'; id: number }

/** A change to one of the channel's calls. */
export type ChannelCallPayload = { type: 'call.started' | 'call.updated' | 'call.ended'; call: CallSummary }

/** A call's recording started, changed (someone answered) or stopped (docs/recording.md). */
export type CallRecordingPayload = { type: 'call.recording'; callId: number; recording: RecordingStatus | null }

/** What `channels/:id` carries, by `type`. */
export type ChannelEvents = {
  'message.posted': MessagePayload
  'message.updated': MessagePayload
  'message.deleted': MessageDeletedPayload
  'call.started': ChannelCallPayload
  'call.updated': ChannelCallPayload
  'call.ended': ChannelCallPayload
  'call.recording': CallRecordingPayload
}
export type ChannelEvent = ChannelEvents[keyof ChannelEvents]

/** True for the `channels/:id` events about a call (the banner and the room follow these). */
export function isChannelCallEvent(event: ChannelEvent): event is ChannelCallPayload {
  return event.type === 'call.started' || event.type === 'call.updated' || event.type === 'call.ended'
}
