import { CookieClient } from '@adonisjs/core/http'
import { EncryptionManager, defineConfig, drivers } from '@adonisjs/core/encryption'
import { randomUUID } from 'node:crypto'

/**
 * Real Confab login sessions without a login round trip per person: the same two cookies the
 * session middleware writes after a login (a signed session id and the encrypted session data
 * holding `auth_web`), made with the server's APP_KEY. Logging in 4,000 people through the form
 * would spend minutes in scrypt, which is not what these benchmarks measure.
 */
export class SessionMinter {
  #cookies: CookieClient

  private constructor(cookies: CookieClient, readonly cookieName: string) {
    this.#cookies = cookies
  }

  /** Uses the same encryption settings as config/encryption.ts, with the server's APP_KEY. */
  static async create(appKey: string, cookieName = 'confab-session') {
    const config = await defineConfig({ default: 'gcm', list: { gcm: drivers.aes256gcm({ id: 'gcm', keys: [appKey] }) } }).resolver(null as never)
    return new SessionMinter(new CookieClient(new EncryptionManager(config).use()), cookieName)
  }

  /** A `Cookie` header value that logs `userId` in. */
  cookieFor(userId: number) {
    const sessionId = randomUUID()
    const id = this.#cookies.sign(this.cookieName, sessionId)!
    const data = this.#cookies.encrypt(sessionId, { auth_web: userId })!
    return `${this.cookieName}=${encodeURIComponent(id)}; ${sessionId}=${encodeURIComponent(data)}`
  }
}
