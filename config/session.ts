import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { configProvider } from '@adonisjs/core'
import { defineConfig, stores } from '@adonisjs/session'
import { redisConnection } from '#config/redis'
import { redisSessionStore, touchingOnlyWhenIdle } from '#services/session_stores'
import { SESSION_COOKIE } from '#helpers/token_request'

/** How long a session lives without activity; the XSRF-TOKEN cookie lives as long (config/shield.ts). */
export const SESSION_AGE = '7d'
/** How long a signed-out session (a visitor's CSRF secret, a flash message) is kept. */
export const GUEST_SESSION_AGE = '2h'

/**
 * Sessions live on the server, so signing out (or "Sign out of all other sessions") ends them
 * for good: a copied cookie holds only the session id. The `database` store (SQLite or MySQL,
 * table `sessions`) is the default; with Redis configured, sessions go there. The tests use
 * the memory store, which Japa's session client needs to read and seed sessions.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: SESSION_COOKIE,
  clearWithBrowser: false,
  age: SESSION_AGE,
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER') ?? (redisConnection ? 'redis' : 'database'),
  stores: {
    // Expired rows are deleted when read, and by the store's garbage collection on 2% of writes.
    database: configProvider.create(async (application) => {
      const factory = await stores.database({ tableName: 'sessions', gcProbability: 2 }).resolver(application)
      return touchingOnlyWhenIdle(factory, GUEST_SESSION_AGE)
    }),
    // Redis expires sessions by itself (SETEX with the session age).
    redis: touchingOnlyWhenIdle(redisSessionStore(redisConnection), GUEST_SESSION_AGE),
  },
})

export default sessionConfig
