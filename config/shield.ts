import { defineConfig } from '@adonisjs/shield'
import { SESSION_AGE } from '#config/session'

const shieldConfig = defineConfig({
  // Scripts and styles are all served from our own origin by Vite; inline handlers are not used.
  csp: {
    enabled: false,
    directives: {},
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
