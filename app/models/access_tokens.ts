import { AccessToken, DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { Secret } from '@adonisjs/core/helpers'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/** The most live (unexpired) personal access tokens one person may hold. */
export const MAX_ACCESS_TOKENS_PER_USER = 20

/** How long a new token may live, as the account page offers it (`never`: until revoked). */
export const ACCESS_TOKEN_LIFETIMES = { '30d': '30 days', '90d': '90 days', '365d': '1 year', 'never': 'No expiry' } as const
export type AccessTokenLifetime = keyof typeof ACCESS_TOKEN_LIFETIMES

/** A token's use is written at most this often (the account page shows it to the minute). */
export const LAST_USED_INTERVAL_MS = 60_000

/**
 * @adonisjs/auth's database tokens provider (table `auth_access_tokens`, `oat_` prefix, only a
 * hash stored), able to work inside a transaction: AddAccessToken checks the person's cap and
 * inserts in one, so two requests racing at the cap cannot both get a token. `getDb()` is the
 * provider's documented extension point for where its queries run. `verify()` records a use only
 * once the token proved good (see there).
 */
export class AccessTokensProvider<Model extends LucidModel> extends DbAccessTokensProvider<Model> {
  #client: QueryClientContract | null = null

  /** The same provider, running its queries through `client` (a transaction). */
  using(client: QueryClientContract) {
    const bound = new AccessTokensProvider<Model>(this.options)
    bound.#client = client
    return bound
  }

  protected async getDb() {
    return this.#client ?? super.getDb()
  }

  /**
   * The library's verify() with its write moved after the checks. @adonisjs/auth 10.1 writes
   * `last_used_at` as soon as it finds the token's row, before it compares the secret or looks at
   * the expiry: anyone could make the server write a row per request with made-up secrets (token
   * ids count up), and the account page would show a stolen id's guesses as uses. Here only a
   * good token's use is recorded, and at most once a minute, as session activity is.
   */
  async verify(tokenValue: Secret<string>) {
    const decoded = AccessToken.decode(this.prefix, tokenValue.release())
    if (!decoded) return null
    const db = await this.getDb()
    const row = await db.query().from(this.table).where({ id: decoded.identifier, type: this.type }).limit(1).first()
    if (!row) return null
    const token = this.dbRowToAccessToken(row)
    if (!token.verify(decoded.secret) || token.isExpired()) return null
    const now = new Date()
    const lastUsed = token.lastUsedAt ? new Date(token.lastUsedAt).getTime() : 0
    if (now.getTime() - lastUsed >= LAST_USED_INTERVAL_MS) {
      await db.from(this.table).where({ id: row.id, type: this.type }).update({ last_used_at: now })
      token.lastUsedAt = now
    }
    return token
  }
}
