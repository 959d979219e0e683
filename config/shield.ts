import type { IncomingMessage } from 'node:http'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/shield'
import { SESSION_AGE } from '#config/session'

/**
 * Vite's dev server (and its HMR WebSocket) runs in the test environment and under `npm run dev`
 * (DEV_MODE), the same rule @adonisjs/vite's provider applies. Its HMR client connects to the
 * page's host on its own port (VITE_HMR_PORT, else Vite's default 24678).
 */
const viteDevServer = app.getEnvironment() === 'test' || Boolean(process.env.DEV_MODE)
const viteHmrPort = Number(process.env.VITE_HMR_PORT) || 24678

/** host[:port] of the request, or null when the Host header is not a plain host (never echo junk). */
function requestHost(req: IncomingMessage) {
  const host = req.headers.host ?? ''
  return /^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(host) ? host : null
}

/**
 * The call WebSocket on this origin. CSP Level 3 lets 'self' cover ws:/wss: to the same host,
 * but older engines (Safari before 15.4) need it spelled out.
 */
function sameOriginWebSockets(req: IncomingMessage) {
  const host = requestHost(req)
  return host ? `ws://${host} wss://${host}` : ''
}

function viteHmrSocket(req: IncomingMessage) {
  const host = requestHost(req)
  if (!viteDevServer || !host) return ''
  const hostname = host.replace(/:\d+$/, '')
  return `ws://${hostname}:${viteHmrPort} wss://${hostname}:${viteHmrPort}`
}

const shieldConfig = defineConfig({
  /**
   * Scripts run only from our origin or with this response's nonce: an injected inline script
   * (a message body that escaped escaping, an attribute handler, a `javascript:` URL) does not
   * run. Alpine is its CSP build (no eval), htmx has eval off, and neither injects styles,
   * so neither scripts nor styles need 'unsafe-inline'. Media is WebRTC streams (srcObject, not
   * a URL); blob: stays allowed for images and media a page may build from them.
   */
  csp: {
    enabled: true,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", '@nonce'],
      styleSrc: ["'self'", '@nonce'],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'", 'data:'],
      // Transmit's SSE and fetches are 'self'; the call WebSocket and, in development, Vite's HMR.
      connectSrc: ["'self'", sameOriginWebSockets, viteHmrSocket],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    reportOnly: false,
  },
  csrf: {
    enabled: true,
    exceptRoutes: [],
    // The XSRF-TOKEN cookie lets htmx and the Transmit client send the token as a header.
    enableXsrfCookie: true,
    // The token is good as long as the session (its secret lives there), so the cookie lives as
    // long too: with the 2 h default of config/app.ts, a tab idle for an afternoon lost it and
    // its next Accept, Decline or read marker got a 403.
    cookieOptions: { maxAge: SESSION_AGE },
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: true, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
