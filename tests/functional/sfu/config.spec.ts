import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'
import { backToMeshAt } from '#config/sfu'

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

test.group('SFU settings: the way back to the mesh, and the call size', () => {
  test('CALL_BACK_TO_MESH_AT defaults to 3 (at least two below CALL_SFU_FROM), off or null never goes back', ({ assert }) => {
    assert.equal(backToMeshAt(5, undefined), 3)
    assert.equal(backToMeshAt(12, undefined), 3)
    assert.equal(backToMeshAt(4, undefined), 2)
    assert.equal(backToMeshAt(3, undefined), 1)
    assert.isNull(backToMeshAt(2, undefined))
    assert.isNull(backToMeshAt(0, undefined), 'every call on the SFU: it stays there')
    assert.isNull(backToMeshAt(null, 2), 'no SFU: nothing to go back from')
    assert.isNull(backToMeshAt(5, 'off'))
    assert.equal(backToMeshAt(8, 6), 6)
  })

  test('the server refuses CALL_BACK_TO_MESH_AT not below CALL_SFU_FROM, and more than 16 people without the SFU, saying why', async ({ assert }) => {
    const janus = { JANUS_URLS: 'ws://10.0.0.5:8188' }
    const cases: [Record<string, string>, string][] = [
      [{ ...janus, CALL_SFU_FROM: '5', CALL_BACK_TO_MESH_AT: '5' }, 'CALL_BACK_TO_MESH_AT must be below CALL_SFU_FROM (got 5, CALL_SFU_FROM is 5)'],
      [{ ...janus, CALL_SFU_FROM: '0', CALL_BACK_TO_MESH_AT: '2' }, 'CALL_BACK_TO_MESH_AT must be below CALL_SFU_FROM (got 2, CALL_SFU_FROM is 0: every call is on the SFU, leave it unset)'],
      [{ CALL_BACK_TO_MESH_AT: 'soon' }, 'CALL_BACK_TO_MESH_AT must be a whole number from 0 to 1000, or off (got "soon")'],
      [{ CALL_MAX_PARTICIPANTS: '25' }, 'CALL_MAX_PARTICIPANTS above 16 needs the SFU (JANUS_URLS, and CALL_SFU_FROM not off)'],
      [{ ...janus, CALL_MAX_PARTICIPANTS: '101' }, 'CALL_MAX_PARTICIPANTS must be a whole number from 2 to 100 (got "101")'],
    ]
    for (const [env, message] of cases) {
      // Ports of this group's own (4011-4012), apart from the group above.
      const server = new AppProcess(4011, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3'), VITE_HMR_PORT: '4012', ...env })
      try {
        await assert.rejects(() => server.ready('/health', 15_000))
        assert.include(server.output, message)
      } finally {
        await server.stop()
      }
    }
  }).timeout(120_000)
})
