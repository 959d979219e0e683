import { defineConfig } from '@adonisjs/transmit'

/**
 * Server-Sent Events. The ping keeps idle connections alive through proxies that close silent
 * streams. A Redis transport for several instances comes with the scale-out work.
 */
export default defineConfig({
  pingInterval: '30s',
  transport: null,
})
