import { randomUUID } from 'node:crypto'
import { CookieClient } from '@adonisjs/core/http'
import { MessageBuilder } from '@adonisjs/core/helpers'
import { EncryptionManager, defineConfig, drivers } from '@adonisjs/core/encryption'
import { BenchDb, timestamp } from './bench_db.js'
import type { Database } from './confab.js'

const SESSION_AGE_MS = 7 * 24 * 60 * 60 * 1000

/**
 * Real Confab login sessions without a login round trip per person: rows in the `sessions`
 * table exactly as the database session store writes them after a login (data holding
 * `auth_web`, tagged with the user), and the signed session-id cookie that names them, made
 * with the server's APP_KEY. Logging in 4,000 people through the form would spend minutes in
 * scrypt, which is not what these benchmarks measure. One session per person, minted for
 * everyone in the database when the server starts (so cookieFor stays synchronous).
 */
export class SessionMinter {
  #cookies: CookieClient
  #minted = new Map<number, string>()

  private constructor(cookies: CookieClient, readonly cookieName: string) {
    this.#cookies = cookies
  }

  /** Uses the same encryption settings as config/encryption.ts, with the server's APP_KEY. */
  static async create(appKey: string, cookieName = 'confab-session') {
    const config = await defineConfig({ default: 'gcm', list: { gcm: drivers.aes256gcm({ id: 'gcm', keys: [appKey] }) } }).resolver(null as never)
    return new SessionMinter(new CookieClient(new EncryptionManager(config).use()), cookieName)
  }

  /** Stores a session for every person in the database who has none from this minter yet. */
  async mintAll(database: Database) {
    const db = await BenchDb.open(database)
    try {
      const users = await db.query<{ id: number }>('SELECT id FROM users')
      const now = Date.now()
      const expiresAt = new Date(now + SESSION_AGE_MS)
      const rows = users
        .filter(({ id }) => !this.#minted.has(id))
        .map(({ id }) => {
          const sessionId = randomUUID()
          this.#minted.set(id, `${this.cookieName}=${encodeURIComponent(this.#cookies.sign(this.cookieName, sessionId)!)}`)
          const values = { auth_web: id, device: { userAgent: 'confab-bench', ip: '127.0.0.1', signedInAt: now }, lastSeenAt: now }
          return {
            id: sessionId,
            data: new MessageBuilder().build(values, undefined, sessionId),
            user_id: String(id),
            // As the store writes it: epoch ms in SQLite (knex's better-sqlite3 binding), a UTC DATETIME in MySQL.
            expires_at: db.kind === 'sqlite' ? expiresAt.getTime() : timestamp(expiresAt),
          }
        })
      await db.insert('sessions', rows)
    } finally {
      await db.close()
    }
  }

  /** A `Cookie` header value that logs `userId` in. */
  cookieFor(userId: number) {
    const cookie = this.#minted.get(userId)
    if (!cookie) throw new Error(`No session for user ${userId}: create people before the server starts`)
    return cookie
  }
}
