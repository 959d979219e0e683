import type CallParticipant from '#models/call_participant'

/**
 * The `call.ringing` payload for one invitee; `GET /calls/ringing` returns the same shape.
 * Expects `call.initiator` and `call.channel` to be loaded.
 */
export function ringPayload(participant: CallParticipant) {
  const call = participant.call
  return {
    type: 'call.ringing' as const,
    callId: call.id,
    kind: call.kind,
    channel: { id: call.channelId, name: call.channel.name, kind: call.channel.kind },
    caller: call.initiator ? { id: call.initiator.id, name: call.initiator.fullName } : null,
    ringExpiresAt: call.ringExpiresAt?.toISO() ?? null,
    busy: participant.busy,
  }
}
