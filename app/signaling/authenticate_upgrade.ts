import { ServerResponse, type IncomingMessage } from 'node:http'
import app from '@adonisjs/core/services/app'
import server from '@adonisjs/core/services/server'
import emitter from '@adonisjs/core/services/emitter'
import { Session } from '@adonisjs/session'
import type User from '#models/user'
import { appUrl } from '#config/app'
import { sessionConfig } from '#services/account_sessions'
import type { SocketCredential } from '#signaling/call_socket'

/** Who is behind an upgrade, and with which sign-in (the socket closes when that sign-in ends). */
export type UpgradeSignIn = { user: User; credential: SocketCredential }

/**
 * Finds who is behind a WebSocket upgrade request. A browser's is its login session: an
 * HttpContext built from the raw request, with the session opened read-only (so it works with
 * every session store and never rewrites cookies). A token client's (`byToken`, see
 * app/helpers/token_request.ts) is its personal access token alone, checked by the `api` guard
 * as on every JSON route: a revoked or expired token is refused here too. Null when neither
 * holds.
 */
export async function signInOfUpgrade(req: IncomingMessage, byToken = false): Promise<UpgradeSignIn | null> {
  const res = new ServerResponse(req)
  const ctx = server.createHttpContext(
    server.createRequest(req, res),
    server.createResponse(req, res),
    app.container.createResolver()
  )
  const authManager = await app.container.make('auth.manager')
  ctx.auth = authManager.createAuthenticator(ctx)
  if (byToken) {
    const guard = ctx.auth.use('api')
    await guard.check()
    const user = guard.user as User | undefined
    const token = user?.currentAccessToken
    if (!user || !token) return null
    return { user, credential: { kind: 'token', tokenId: Number(token.identifier), expiresAt: token.expiresAt } }
  }
  const config = await sessionConfig()
  ctx.session = new Session(config, config.stores[config.store]!, emitter, ctx)
  await ctx.session.initiate(true)
  const guard = ctx.auth.use('web')
  await guard.check()
  const user = guard.user as User | undefined
  return user ? { user, credential: { kind: 'session', sessionId: ctx.session.sessionId } } : null
}

/**
 * Cross-site WebSocket hijacking guard: browsers always send the page's Origin with a WebSocket
 * handshake, and cookies ride along whatever site opened it, so only our own pages may connect.
 * Scheme, host and port must all match the app's origin: APP_URL when set, else the address the
 * request was sent to (X-Forwarded-Proto/-Host count only from a proxy `trustProxy` trusts, as
 * for every request; otherwise https only on a TLS socket). An http page must not be able to
 * speak for the https one.
 */
export function isSameOrigin(req: IncomingMessage) {
  const origin = req.headers.origin
  if (!origin) return false
  try {
    const originUrl = new URL(origin)
    if (appUrl) return originUrl.origin === new URL(appUrl).origin
    const request = server.createRequest(req, new ServerResponse(req))
    const host = request.host()
    // URL() normalises both sides alike: default ports dropped, host lower-cased.
    return Boolean(host) && originUrl.origin === new URL(`${request.protocol()}://${host}`).origin
  } catch {
    return false
  }
}
