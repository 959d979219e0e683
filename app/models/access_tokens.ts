import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/** The most live (unexpired) personal access tokens one person may hold. */
export const MAX_ACCESS_TOKENS_PER_USER = 20

/** How long a new token may live, as the account page offers it (`never`: until revoked). */
export const ACCESS_TOKEN_LIFETIMES = { '30d': '30 days', '90d': '90 days', '365d': '1 year', 'never': 'No expiry' } as const
export type AccessTokenLifetime = keyof typeof ACCESS_TOKEN_LIFETIMES

/**
 * @adonisjs/auth's database tokens provider (table `auth_access_tokens`, `oat_` prefix, only a
 * hash stored), able to work inside a transaction: AddAccessToken checks the person's cap and
 * inserts in one, so two requests racing at the cap cannot both get a token. `getDb()` is the
 * provider's documented extension point for where its queries run.
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
}
