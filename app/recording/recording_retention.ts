import { DateTime } from 'luxon'
import Recording from '#models/recording'
import DeleteRecording from '#actions/recordings/delete_recording'
import { sqlDateTime } from '#helpers/sql_time'

/**
 * RECORDING_RETENTION_DAYS: finished recordings past their `expires_at` are deleted, file and
 * record. `now` is a parameter so that tests can run it with a clock in the future.
 */
export async function deleteExpiredRecordings(now: DateTime = DateTime.now()) {
  const expired = await Recording.query().whereNotNull('expires_at').where('expires_at', '<=', sqlDateTime(now))
  for (const recording of expired) await new DeleteRecording().handle(recording)
  return expired.length
}
