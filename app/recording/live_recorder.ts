import { join } from 'node:path'
import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import recordingConfig from '#config/recording'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import Recording from '#models/recording'
import RecordingConsent from '#models/recording_consent'
import RecordingTrack from '#models/recording_track'
import { broadcastToChannel } from '#realtime/broadcast'
import { recordingStatusOf } from '#recording/recording_status'
import { sfuPublished } from '#recording/sfu_published'
import callHub from '#signaling/call_hub'
import type { SfuParticipant } from '#sfu/sfu_participant'

/**
 * The Janus side of a running recording, on this instance: it turns Janus's recording of a
 * publisher on for each person who said yes (at their answer, or when they publish later, e.g.
 * after joining or reloading), off at Stop, and tells every page what changed. Each stretch it
 * turns on is a RecordingTrack, stored before Janus is asked, so post-processing finds its files
 * even after a crash. Only the instance that holds a person's Janus handles can toggle theirs.
 */
class LiveRecorder {
  /** The publishers Janus records now, with the recording they are in (a renegotiation publishes again). */
  #recorded = new WeakMap<SfuParticipant, number>()

  constructor() {
    sfuPublished.on('published', (callId, participant) => {
      this.#published(callId, participant).catch((error) =>
        logger.warn({ err: error, callId, userId: participant.seat.userId }, 'could not start recording a publisher')
      )
    })
  }

  /** A new recording: the call goes to the SFU (if it is a mesh) and every page is told. */
  async started(call: Call) {
    if (call.sfuRoomId === null) await callHub.callSfu.topology.moveToSfu(call.id)
    await this.announce(call)
  }

  /** Someone said yes: their publisher, if it is held here, starts being recorded. */
  async consented(call: Call, recording: Recording, userId: number) {
    const participant = callHub.callSfu.participant(call.id, userId)
    if (participant && !participant.closed) await this.#record(recording, participant)
    await this.announce(call)
  }

  /** Stop (or the call's end): every recorded publisher held here stops being recorded. */
  async stopped(call: Call, recording: Recording) {
    const userIds = await RecordingTrack.query().where('recording_id', recording.id).distinct('user_id')
    await Promise.all(
      userIds.map(async ({ userId }) => {
        const participant = callHub.callSfu.participant(call.id, userId)
        if (!participant || participant.closed) return
        this.#recorded.delete(participant)
        await participant.record(false).catch(() => {})
      })
    )
    await this.announce(call)
  }

  /** Every page of the call (its socket) and the channel (SSE) get the recording's state now. */
  async announce(call: Call) {
    const recording = await recordingStatusOf(call.id)
    callHub.rooms.get(call.id)?.broadcast({ type: 'recording', recording })
    broadcastToChannel(call.channelId, { type: 'call.recording', callId: call.id, recording })
  }

  async #published(callId: number, participant: SfuParticipant) {
    const recording = await Recording.runningFor(callId)
    if (!recording) return
    const userId = participant.seat.userId
    const consent = await RecordingConsent.findBy({ recordingId: recording.id, userId })
    const call = await Call.findOrFail(callId)
    if (!consent) {
      // Someone who joined after the start: asked first, recorded only after a yes.
      await askLater(recording, callId, userId)
      return this.announce(call)
    }
    if (consent.consented === true) await this.#record(recording, participant)
  }

  async #record(recording: Recording, participant: SfuParticipant) {
    if (this.#recorded.get(participant) === recording.id) return
    this.#recorded.set(participant, recording.id)
    const userId = participant.seat.userId
    const basePath = join(recordingConfig.workPath, String(recording.id), `${userId}-${Date.now()}`)
    await RecordingTrack.create({ recordingId: recording.id, userId, basePath, startedAt: DateTime.now() })
    await participant.record(true, basePath)
  }
}

/** Asks a participant who was not in the call when the recording started (no answer yet). */
export async function askLater(recording: Recording, callId: number, userId: number) {
  const participation = await CallParticipant.query().where({ callId, userId }).first()
  if (!participation) return null
  try {
    return await RecordingConsent.create({
      recordingId: recording.id,
      callParticipantId: participation.id,
      userId,
      consented: null,
      askedAt: DateTime.now(),
    })
  } catch {
    // Asked at the same moment by another path (the unique index): that row stands.
    return RecordingConsent.findByOrFail({ recordingId: recording.id, userId })
  }
}

const liveRecorder = new LiveRecorder()
export default liveRecorder
