import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }

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
      },
      migrations,
      schemaGeneration: { enabled: false },
    },
  },
})

export default dbConfig
