import env from '#start/env'
import app from '@adonisjs/core/services/app'

/**
 * Call recording (docs/recording.md). Who may start one (`initiator`, `anyone`, or `off`);
 * it is also off, whatever this says, without a Janus (JANUS_URLS) or without ffmpeg and
 * janus-pp-rec on the PATH (checked at boot, app/recording/recording_tools.ts).
 */
export default {
  who: env.get('CALL_RECORDING') ?? 'initiator',
  /** Days a finished recording is kept before the retention job deletes file and record. */
  retentionDays: env.get('RECORDING_RETENTION_DAYS') ?? 30,
  /**
   * Where Janus writes its .mjr files and post-processing works: a folder Janus and Confab both
   * see (the same machine, or a shared mount). Never public; emptied per recording once done.
   */
  workPath: app.makePath(env.get('RECORDING_WORK_PATH', 'tmp/recordings')),
  /** How often the retention job looks for expired recordings. */
  retentionSweepMs: 60 * 60 * 1000,
  /** A job that failed this many times stays `failed` (the reason is kept). */
  maxAttempts: 3,
  /** Each consenting person's tile in the mixed video. */
  tile: { width: 320, height: 240 },
}
