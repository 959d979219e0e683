import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Sessions live in an encrypted cookie: nothing to run or clean up, and it works unchanged
 * behind several instances. The tests use the memory store, which Japa's session client needs
 * to read and seed sessions.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'confab-session',
  clearWithBrowser: false,
  age: '7d',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER', 'cookie'),
  stores: {
    cookie: stores.cookie(),
  },
})

export default sessionConfig
