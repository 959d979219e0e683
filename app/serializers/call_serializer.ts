import type Call from '#models/call'
import type CallParticipant from '#models/call_participant'
import type { CallSummary, CallerSummary, ChannelSummary, ParticipantSummary } from '#realtime/sse_payloads'

/**
 * The JSON shape of a call, shared by the JSON routes and the SSE events, so a client reads the
 * same fields everywhere. Expects `initiator` and `participants.user` to be loaded.
 */
export function serializeCall(call: Call): CallSummary {
  return {
    id: call.id,
    channelId: call.channelId,
    kind: call.kind,
    status: call.status,
    initiator: callerOf(call),
    ringExpiresAt: call.ringExpiresAt?.toISO() ?? null,
    answeredAt: call.answeredAt?.toISO() ?? null,
    endedAt: call.endedAt?.toISO() ?? null,
    endedById: call.endedById,
    endReason: call.endReason,
    durationSeconds: call.durationSeconds(),
    participants: (call.participants ?? []).map(serializeParticipant),
  }
}

/** One participant of `serializeCall`; expects `user` to be loaded. */
export function serializeParticipant(participant: CallParticipant): ParticipantSummary {
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

/** Who started the call, as every payload names them; expects `initiator` to be loaded. */
export function callerOf(call: Call): CallerSummary | null {
  return call.initiator ? { id: call.initiator.id, name: call.initiator.fullName } : null
}

/** The call's channel, as rings and missed calls name it; expects `channel` to be loaded. */
export function channelOf(call: Call): ChannelSummary {
  return { id: call.channelId, name: call.channel.name, kind: call.channel.kind }
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
