import type CallParticipant from '#models/call_participant'
import type { RingPayload } from '#realtime/sse_payloads'
import { callerOf, channelOf } from '#serializers/call_serializer'

/**
 * The `call.ringing` payload for one invitee; `GET /calls/ringing` returns the same shape.
 * Expects `call.initiator` and `call.channel` to be loaded.
 */
export function ringPayload(participant: CallParticipant): RingPayload {
  const call = participant.call
  return {
    type: 'call.ringing',
    callId: call.id,
    kind: call.kind,
    channel: channelOf(call),
    caller: callerOf(call),
    ringExpiresAt: call.ringExpiresAt?.toISO() ?? null,
    busy: participant.busy,
  }
}
