import { defineConfig } from '@adonisjs/shield'

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
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: true, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
