import { ServerResponse, type IncomingMessage } from 'node:http'
import app from '@adonisjs/core/services/app'
import server from '@adonisjs/core/services/server'
import emitter from '@adonisjs/core/services/emitter'
import { configProvider } from '@adonisjs/core'
import { Session } from '@adonisjs/session'
import type { ResolvedSessionConfig } from '@adonisjs/session/types'
import type User from '#models/user'
import { appUrl } from '#config/app'

let sessionConfig: Promise<ResolvedSessionConfig> | undefined

/**
 * Finds who is behind a WebSocket upgrade request with the normal login session: builds an
 * HttpContext from the raw request and opens the session read-only (so it works with every
 * session store and never rewrites cookies). Null when there is no valid session.
 */
export async function userOfUpgrade(req: IncomingMessage): Promise<User | null> {
  const res = new ServerResponse(req)
  const ctx = server.createHttpContext(
    server.createRequest(req, res),
    server.createResponse(req, res),
    app.container.createResolver()
  )
  sessionConfig ??= configProvider.resolve<ResolvedSessionConfig>(app, app.config.get('session')).then((config) => config!)
  const config = await sessionConfig
  ctx.session = new Session(config, config.stores[config.store]!, emitter, ctx)
  await ctx.session.initiate(true)

  const authManager = await app.container.make('auth.manager')
  ctx.auth = authManager.createAuthenticator(ctx)
  const guard = ctx.auth.use('web')
  await guard.check()
  return (guard.user as User | undefined) ?? null
}

/**
 * Cross-site WebSocket hijacking guard: browsers always send the page's Origin with a WebSocket
 * handshake, and cookies ride along whatever site opened it, so only our own pages may connect.
 * The app's origin is APP_URL when set, else the scheme-less Host the request was sent to.
 */
export function isSameOrigin(req: IncomingMessage) {
  const origin = req.headers.origin
  if (!origin) return false
  let originUrl: URL
  try {
    originUrl = new URL(origin)
  } catch {
    return false
  }
  if (appUrl) return originUrl.origin === new URL(appUrl).origin
  return originUrl.host === req.headers.host
}
