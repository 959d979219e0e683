/*
| Recognising "the database is not there right now", whichever driver or layer says it. These
| errors are the operator's problem, not the request's: the client gets 503 and Retry-After,
| never the driver's message (it names hosts, ports and SQL).
*/

/** Driver and socket error codes that mean the database cannot be reached or did not answer. */
const UNAVAILABLE_CODES = new Set([
  // The socket: nothing listening, dropped, unreachable host, connect timeout (mysql2 too).
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2: the server went away mid-query, a query timed out (config/database.ts), a
  // command was queued on a connection that had already failed.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  // MySQL/MariaDB refusing more clients, shutting down, or killing a statement for running long.
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  // SQLite: another writer held the lock for longer than busy_timeout.
  'SQLITE_BUSY',
])

/**
 * Messages without a code: the pool's own timeout, mysql2's closed-connection error, and ioredis
 * (the Redis session store) giving up on a command or refusing one on a closed connection.
 */
const UNAVAILABLE_MESSAGES = [
  /^Knex: Timeout acquiring a connection/,
  /^Can't add new command when connection is in closed state/,
  /^Reached the max retries per request limit/,
  /^Connection is closed\.$/,
  /^Command timed out$/,
]

type MaybeError = { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown }

/**
 * True when `error` (or what it wraps: `cause`, an AggregateError's `errors`, as Node reports
 * a refused connection to a name with several addresses) says the database is unreachable.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false
  const candidate = error as MaybeError
  if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true
  if (candidate.name === 'KnexTimeoutError' || candidate.name === 'MaxRetriesPerRequestError') return true
  const message = typeof candidate.message === 'string' ? candidate.message : ''
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true
  if (isDatabaseUnavailable(candidate.cause, depth + 1)) return true
  return Array.isArray(candidate.errors) && candidate.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
}

/** Seconds a client should wait before retrying a request that met an unavailable database. */
export const DATABASE_RETRY_AFTER_SECONDS = 5
