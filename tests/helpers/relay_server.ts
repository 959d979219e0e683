import app from '@adonisjs/core/services/app'
import { Coturn } from '#tests/helpers/coturn'
import { AppProcess } from '#tests/helpers/app_process'

type Cleanup = (fn: () => void | Promise<void>) => void

/**
 * A real coturn and a second Confab server that sends every call through it
 * (ICE_TRANSPORT_POLICY=relay), sharing the test database, with the page's scripts served by
 * Vite's dev server as `npm run dev` does, on an HMR port of the caller's own. Both are stopped
 * by the test's cleanup.
 */
export async function startRelayOnlyServer(ports: { app: number; viteHmr: number; turn?: number }, cleanup: Cleanup) {
  const turn = await new Coturn(app.tmpPath(), ports.turn).start()
  cleanup(() => turn.stop())
  const server = new AppProcess(ports.app, {
    NODE_ENV: 'test',
    SQLITE_PATH: app.tmpPath('test.sqlite3'),
    TURN_URLS: turn.url,
    TURN_SECRET: turn.secret,
    TURN_TTL: '600',
    ICE_TRANSPORT_POLICY: 'relay',
    DEV_MODE: 'true',
    VITE_HMR_PORT: String(ports.viteHmr),
  })
  cleanup(() => server.stop())
  await server.ready('/health')
  return { turn, server }
}
