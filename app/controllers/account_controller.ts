import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { ACCESS_TOKEN_LIFETIMES, MAX_ACCESS_TOKENS_PER_USER } from '#models/access_tokens'
import { activeSessionsOf } from '#services/account_sessions'

/** A token created by this very request, whose value the page shows this once. */
export type NewToken = { name: string; value: string }

/** The account page: who I am, where I am signed in, and my access tokens. */
export default class AccountController {
  async show(ctx: HttpContext) {
    return renderAccount(ctx)
  }
}

/** Renders the account page, with the token just created (AccessTokensController.store) if any. */
export async function renderAccount({ auth, session, view }: HttpContext, newToken: NewToken | null = null) {
  const user = auth.getUserOrFail()
  const sessions = await activeSessionsOf(user, session.sessionId)
  const tokens = (await User.accessTokens.all(user)).map((token) => ({
    id: token.identifier,
    name: token.name ?? 'Unnamed token',
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    expiresAt: token.expiresAt,
    expired: token.isExpired(),
  }))
  return view.render('pages/account/show', {
    sessions,
    tokens,
    newToken,
    lifetimes: ACCESS_TOKEN_LIFETIMES,
    maxTokens: MAX_ACCESS_TOKENS_PER_USER,
    title: 'Your account',
  })
}
