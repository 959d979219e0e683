import type Call from '#models/call'
import type CallParticipant from '#models/call_participant'

/**
 * The JSON shape of a call, shared by the JSON routes and the SSE events, so a client reads the
 * same fields everywhere. Expects `initiator` and `participants.user` to be loaded.
 */
export function serializeCall(call: Call) {
  return {
    id: call.id,
    channelId: call.channelId,
    kind: call.kind,
    status: call.status,
    initiator: call.initiator ? { id: call.initiator.id, name: call.initiator.fullName } : null,
    ringExpiresAt: call.ringExpiresAt?.toISO() ?? null,
    answeredAt: call.answeredAt?.toISO() ?? null,
    endedAt: call.endedAt?.toISO() ?? null,
    endedById: call.endedById,
    endReason: call.endReason,
    durationSeconds: call.durationSeconds(),
    participants: (call.participants ?? []).map(serializeParticipant),
  }
}

export function serializeParticipant(participant: CallParticipant) {
  return {
    userId: participant.userId,
    name: participant.user?.fullName ?? null,
    status: participant.status,
    busy: participant.busy,
    joinedAt: participant.joinedAt?.toISO() ?? null,
    leftAt: participant.leftAt?.toISO() ?? null,
    audio: participant.audioEnabled,
    video: participant.videoEnabled,
    screen: participant.screenSharing,
  }
}

/** Loads what `serializeCall` and the call templates need. */
export async function loadCallDetails(call: Call) {
  await call.load((loader) => {
    loader
      .load('initiator')
      .load('channel')
      .load('participants', (query) => query.preload('user').orderBy('id'))
  })
  return call
}
