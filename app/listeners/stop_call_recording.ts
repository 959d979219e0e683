import logger from '@adonisjs/core/services/logger'
import type CallEnded from '#events/call_ended'
import Recording from '#models/recording'
import StopRecording from '#actions/recordings/stop_recording'
import { RecordingConflictException } from '#exceptions/recording_conflict_exception'

/** An ended call's running recording stops, and its post-processing starts (after the commit). */
export default class StopCallRecording {
  async handle({ change }: CallEnded) {
    const recording = await Recording.runningFor(change.call.id)
    if (!recording) return
    await new StopRecording().handle(change.call, recording).catch((error) => {
      // A Stop that won the race has done it already.
      if (!(error instanceof RecordingConflictException)) logger.warn({ err: error, callId: change.call.id }, 'could not stop the call’s recording')
    })
  }
}
