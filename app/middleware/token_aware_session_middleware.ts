import { inject } from '@adonisjs/core'
import emitter from '@adonisjs/core/services/emitter'
import { Session } from '@adonisjs/session'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { SessionStoreFactory } from '@adonisjs/session/types'
import { isTokenRequest } from '#helpers/token_request'
import { sessionConfig } from '#services/account_sessions'

/** Keeps nothing: a token request's session lives and dies with the request. */
const keepsNothing: SessionStoreFactory = () => ({ read: () => null, write() {}, destroy() {}, touch() {} })

/**
 * The session for every request, except token requests (a Bearer header and no session cookie,
 * see app/helpers/token_request.ts): those get a session that is never stored. So an API client
 * leaves no session row and gets no cookie, and nothing it posts can sign a browser in (a login
 * sent that way lands in a session that is thrown away). Code that reads or writes the session
 * (flash messages, "return to") works unchanged.
 */
@inject()
export default class TokenAwareSessionMiddleware {
  constructor(private session: SessionMiddleware<any>) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if (!isTokenRequest(ctx.request.headers())) return this.session.handle(ctx, next)
    ctx.session = new Session(await sessionConfig(), keepsNothing, emitter, ctx)
    await ctx.session.initiate(false)
    return next()
  }
}
