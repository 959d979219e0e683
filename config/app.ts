import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

/** `none` trusts no proxy; anything else is a proxy-addr list (checked in start/env.ts). */
function trustProxy(setting: string) {
  return setting === 'none' ? false : setting
}

/**
 * HTTP server settings. Method spoofing is on so plain HTML forms can send
 * DELETE (`?_method=DELETE`) for leave-style resources.
 */
export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // Whose X-Forwarded-For to believe for request.ip() (rate limits, the session list). Behind
  // a proxy or balancer on another host, list it in TRUSTED_PROXIES, or every client has the
  // proxy's IP and shares its limits. Default: a proxy on this machine (loopback).
  trustProxy: trustProxy(env.get('TRUSTED_PROXIES') ?? 'loopback'),
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
