import { DateTime } from 'luxon'

/**
 * A timestamp in the format Lucid stores DateTime columns in on SQLite and MySQL, for the
 * conditional updates and comparisons that bypass the models (`ring_expires_at <= now`).
 */
export function sqlDateTime(value: DateTime = DateTime.now()) {
  return value.toFormat('yyyy-MM-dd HH:mm:ss')
}
