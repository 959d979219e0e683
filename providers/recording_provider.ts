import type { ApplicationService } from '@adonisjs/core/types'
import recordingConfig from '#config/recording'

/**
 * Call recording while the HTTP server runs (docs/recording.md): at boot, the post-processing
 * jobs a previous process left pending run again; every hour the retention job deletes what
 * is past RECORDING_RETENTION_DAYS. Recording that is off says so in the log, once.
 */
export default class RecordingProvider {
  #retention: NodeJS.Timeout | null = null

  constructor(protected app: ApplicationService) {}

  async ready() {
    // The HTTP server only (a test's own server process too: the test runner itself is 'test').
    if (this.app.getEnvironment() !== 'web') return
    const logger = await this.app.container.make('logger')
    const { recordingTools } = await import('#recording/recording_tools')
    const { default: recordingJobs } = await import('#recording/recording_jobs')
    const { deleteExpiredRecordings } = await import('#recording/recording_retention')
    const missing = recordingConfig.who === 'off' ? 'CALL_RECORDING=off' : recordingTools.missing()
    if (missing) logger.info(`Call recording is off: ${missing}`)
    const { isDatabaseUnavailable } = await import('#exceptions/database_unavailable')
    // A database that is down at boot or at a sweep is one warning line, as for requests (no
    // stack: the outage is the news); the jobs wait for the next boot, the retention for the next hour.
    const failed = (what: string) => (error: unknown) =>
      isDatabaseUnavailable(error) ? logger.warn(`database unavailable: ${what} postponed`) : logger.error({ err: error }, `${what} failed`)
    // Pending jobs run even with the tools gone: each fails with the reason, kept on its row.
    recordingJobs.resume().catch(failed('resuming recording jobs'))
    const sweep = () => deleteExpiredRecordings().catch(failed('recording retention'))
    void sweep()
    this.#retention = setInterval(sweep, recordingConfig.retentionSweepMs)
    this.#retention.unref()
  }

  async shutdown() {
    if (this.#retention) clearInterval(this.#retention)
  }
}
