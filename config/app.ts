import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

/**
 * HTTP server settings. Method spoofing is on so plain HTML forms can send
 * DELETE (`?_method=DELETE`) for leave-style resources.
 */
export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})

/** The public address of the app, used to check WebSocket and form origins. */
export const appUrl = env.get('APP_URL')
