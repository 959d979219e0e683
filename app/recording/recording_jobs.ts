import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import recordingConfig from '#config/recording'
import Call from '#models/call'
import Recording from '#models/recording'
import RecordingTrack from '#models/recording_track'
import mediaStore from '#services/media_store'
import { PostProcessor } from '#recording/post_processor'
import { sqlDateTime } from '#helpers/sql_time'
import { broadcastRecordingReady } from '#recording/recording_notices'

/**
 * The post-processing queue. The database is the queue: a recording in `processing` is pending
 * work, picked up one at a time (ffmpeg takes both cores of a small machine), after each Stop and
 * at boot. No queue library: one table already says everything a job needs, and a job that
 * is interrupted (the process killed mid-ffmpeg) is simply run again from its .mjr files.
 */
class RecordingJobs {
  #draining: Promise<void> | null = null
  #again = false
  #processor = new PostProcessor(recordingConfig.tile)

  /** Boot: recordings left `recording` by a process that died with a call in them are stopped, then everything pending runs. */
  async resume() {
    const orphans = await Recording.query().where('state', 'recording').preload('call')
    for (const recording of orphans) {
      if (recording.call.isLive) continue
      await Recording.query().where({ id: recording.id, state: 'recording' }).update({ state: 'processing', stoppedAt: sqlDateTime() })
    }
    return this.kick()
  }

  /** Runs every pending job; a call while it runs makes it look again once done. */
  kick(): Promise<void> {
    if (this.#draining) {
      this.#again = true
      return this.#draining
    }
    this.#draining = this.#drain().finally(() => (this.#draining = null))
    return this.#draining
  }

  async #drain() {
    do {
      this.#again = false
      const pending = await Recording.query().where('state', 'processing').orderBy('id')
      for (const recording of pending) await this.process(recording)
    } while (this.#again)
  }

  /** One job: mix, store on the drive disk, mark ready (or failed after maxAttempts). */
  async process(recording: Recording) {
    await Recording.query().where('id', recording.id).increment('attempts', 1)
    await recording.refresh()
    const workDir = join(recordingConfig.workPath, String(recording.id))
    try {
      const tracks = await RecordingTrack.query().where('recording_id', recording.id).orderBy('id')
      if (tracks.length === 0) return await this.#fail(recording, 'Nobody agreed to be recorded, so there is nothing to keep.')
      const mixed = await this.#processor.mix(tracks, join(workDir, `attempt-${recording.attempts}`))
      const { size } = await stat(mixed.path)
      // The key is stored before the upload: a retry after a crash overwrites the same object.
      const key = recording.storageKey ?? Recording.storageKeyFor(recording.callId)
      await Recording.query().where('id', recording.id).update({ storageKey: key })
      await mediaStore.putFromFile(key, mixed.path, 'video/webm')
      const done = await Recording.query()
        .where({ id: recording.id, state: 'processing' })
        .update({
          state: 'ready',
          byteSize: size,
          durationMs: mixed.durationMs,
          expiresAt: sqlDateTime(DateTime.now().plus({ days: recordingConfig.retentionDays })),
          failure: null,
        })
      // Deleted while it was being mixed: the file goes too.
      if (Number(done) !== 1) await mediaStore.delete(key)
      await rm(workDir, { recursive: true, force: true })
      if (Number(done) === 1) await broadcastRecordingReady(await Call.findOrFail(recording.callId))
    } catch (error) {
      logger.warn({ err: error, recordingId: recording.id, attempt: recording.attempts }, 'recording post-processing failed')
      if (recording.attempts >= recordingConfig.maxAttempts) await this.#fail(recording, (error as Error).message)
    }
  }

  async #fail(recording: Recording, reason: string) {
    await Recording.query().where({ id: recording.id, state: 'processing' }).update({ state: 'failed', failure: reason.slice(0, 500) })
    await rm(join(recordingConfig.workPath, String(recording.id)), { recursive: true, force: true })
  }
}

const recordingJobs = new RecordingJobs()
export default recordingJobs
