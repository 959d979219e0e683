import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }

/**
 * How long (ms) a request may wait on MySQL for each step: opening a connection, getting one
 * from the pool, one query. Without these a database that accepts connections and never
 * answers holds every request for mysql2's 10 s connect timeout or forever (a hung query), and
 * requests pile up; with them they fail fast and the exception handler answers 503.
 */
const mysqlTimeout = env.get('DB_TIMEOUT', 2000)

type MysqlQuery = (options: unknown, values?: unknown, callback?: unknown) => unknown
type MysqlConnection = { query: MysqlQuery; stream: { destroy(): void }; __knex__disposed?: unknown }

/**
 * Gives every query on a pooled mysql2 connection a client-side timeout (mysql2's per-query
 * `timeout`, which knex only sets through `.options()` on each builder). A timed-out connection
 * is thrown away rather than reused: its command is still queued on it, so the next query would
 * wait behind it. Knex's validation then drops it from the pool.
 */
function withQueryTimeout(connection: MysqlConnection, timeout: number) {
  const query = connection.query.bind(connection)
  connection.query = (options, values, callback) => {
    if (!options || typeof options !== 'object' || typeof callback !== 'function') {
      return query(options, values, callback)
    }
    const withTimeout = { timeout, ...(options as object) }
    return query(withTimeout, values, (error: { code?: string } | null, ...rest: unknown[]) => {
      if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        connection.__knex__disposed = error
        connection.stream.destroy()
      }
      return (callback as (...args: unknown[]) => unknown)(error, ...rest)
    })
  }
}

/**
 * SQLite (embedded, zero setup) is the default; DB_CONNECTION=mysql switches to MySQL/MariaDB.
 * Both run the same migrations. Models declare their columns explicitly, so schema generation
 * is off: its output depends on which database it was generated from.
 */
const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: env.get('SQLITE_PATH') ?? app.tmpPath(app.inTest ? 'test.sqlite3' : 'db.sqlite3'),
      },
      useNullAsDefault: true,
      // What Rails 8 sets for SQLite in production: readers never wait for the writer (WAL), and a
      // commit does not fsync every page (NORMAL is durable in WAL mode except on power loss).
      // better-sqlite3 is synchronous, so a slow commit stalls every socket and stream of the
      // process: the default rollback journal cost the call relay its p99 (bench: signaling).
      pool: {
        afterCreate: (connection: { pragma: (sql: string) => unknown }, done: (error: Error | null, connection: unknown) => void) => {
          connection.pragma('journal_mode = WAL')
          connection.pragma('synchronous = NORMAL')
          connection.pragma('busy_timeout = 5000')
          done(null, connection)
        },
      },
      migrations,
      schemaGeneration: { enabled: false },
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('MYSQL_HOST', '127.0.0.1'),
        port: env.get('MYSQL_PORT', 3306),
        user: env.get('MYSQL_USER', 'confab'),
        password: env.get('MYSQL_PASSWORD', ''),
        database: env.get('MYSQL_DB_NAME', 'confab'),
        charset: 'utf8mb4',
        // Lucid stores DateTimes in UTC; keep the driver from shifting them to local time.
        timezone: 'Z',
        // mysql2's own option; Lucid's type lists only the options mysql and mysql2 share.
        ...({ connectTimeout: mysqlTimeout } as object),
      },
      pool: {
        acquireTimeoutMillis: mysqlTimeout,
        afterCreate: (connection: MysqlConnection, done: (error: Error | null, connection: unknown) => void) => {
          // Migrations (ace commands) may legitimately run long statements; requests may not.
          if (app.getEnvironment() !== 'console') withQueryTimeout(connection, mysqlTimeout)
          done(null, connection)
        },
      },
      migrations,
      schemaGeneration: { enabled: false },
    },
  },
})

export default dbConfig
