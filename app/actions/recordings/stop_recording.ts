import { DateTime } from 'luxon'
import type Call from '#models/call'
import Recording from '#models/recording'
import { sqlDateTime } from '#helpers/sql_time'
import { RecordingConflictException } from '#exceptions/recording_conflict_exception'
import liveRecorder from '#recording/live_recorder'
import recordingJobs from '#recording/recording_jobs'

/**
 * Stops the call's running recording (Stop, or the call's end): Janus stops writing, the row
 * becomes `processing` (the pending post-processing job) and the queue is kicked. The
 * conditional update makes a Stop racing the call's end stop it once.
 */
export default class StopRecording {
  async handle(call: Call, recording: Recording) {
    const stopped = await Recording.query()
      .where({ id: recording.id, state: 'recording' })
      .update({ state: 'processing', stoppedAt: sqlDateTime(DateTime.now()) })
    if (Number(stopped) !== 1) throw RecordingConflictException.notRunning()
    await liveRecorder.stopped(call, recording)
    // Janus closes the files as it stops; the mix starts right after, in the background.
    void recordingJobs.kick()
    return recording
  }
}
