import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { MAX_ACCESS_TOKENS_PER_USER, type AccessTokenLifetime } from '#models/access_tokens'
import { AccessTokenLimitException } from '#exceptions/access_token_limit_exception'

/**
 * Creates a personal access token for another client (docs/api.md). Its value exists only in
 * what this returns: the database keeps a hash. Checking the cap and inserting happen in one
 * transaction that holds the person's row, so two requests racing at the cap cannot both win.
 */
export default class CreateAccessToken {
  async handle(user: User, { name, expiresIn }: { name: string; expiresIn: AccessTokenLifetime }) {
    return db.transaction(async (trx) => {
      // MySQL: a row lock serialises this person's token creations. SQLite: one writer at a time.
      await User.query({ client: trx }).where('id', user.id).forUpdate().firstOrFail()
      const tokens = User.accessTokens.using(trx)
      // Expired tokens stay listed (so their owner sees why a client stopped working) but do not count.
      const live = (await tokens.all(user)).filter((token) => !token.isExpired())
      if (live.length >= MAX_ACCESS_TOKENS_PER_USER) throw new AccessTokenLimitException(MAX_ACCESS_TOKENS_PER_USER)
      return tokens.create(user, ['*'], { name, expiresIn: expiresIn === 'never' ? undefined : expiresIn })
    })
  }
}
