import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'

test.group('SFU settings', () => {
  test('the server refuses a malformed JANUS_URLS or CALL_SFU_FROM at boot, saying why', async ({ assert }) => {
    const cases: [Record<string, string>, string][] = [
      [{ JANUS_URLS: 'http://10.0.0.5:8088' }, 'JANUS_URLS must be comma-separated ws:// or wss:// URLs (got "http://10.0.0.5:8088")'],
      [{ JANUS_URLS: 'ws://a:8188,ws://a:8188' }, 'JANUS_URLS lists a URL twice'],
      [{ CALL_SFU_FROM: 'sometimes' }, 'CALL_SFU_FROM must be a whole number from 0 to 1000, or off (got "sometimes")'],
    ]
    for (const [env, message] of cases) {
      const server = new AppProcess(3562, {
        NODE_ENV: 'test',
        SQLITE_PATH: app.tmpPath('test.sqlite3'),
        VITE_HMR_PORT: '3563',
        ...env,
      })
      try {
        await assert.rejects(() => server.ready('/health', 15_000))
        assert.include(server.output, message)
      } finally {
        await server.stop()
      }
    }
  })
})
