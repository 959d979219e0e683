import { test } from '@japa/runner'
import WebSocket from 'ws'
import { JanusNamespace, JanusServer, janusForGroup } from '#tests/helpers/janus'
import { printedSkip, reachable } from '#tests/helpers/services'

const janus = JanusNamespace.availableForTests()

/** One request on a fresh WebSocket to Janus, answered by its first reply. */
async function ask(url: string, body: Record<string, unknown>) {
  const ws = new WebSocket(url, 'janus-protocol')
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const reply = new Promise<Record<string, any>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))))
    ws.send(JSON.stringify({ transaction: 't1', ...body }))
    return await reply
  } finally {
    ws.close()
  }
}

test.group('Janus for tests: a real Janus in its own network namespace', (group) => {
  const server = new JanusServer('tmp', { wsPort: 3560, rtpPorts: '20000-20050' })
  const namespace = janusForGroup(group, [server])

  test('answers on its WebSocket API only with the apisecret', async ({ assert }) => {
    const refused = await ask(server.url, { janus: 'create' })
    assert.equal(refused.janus, 'error')
    assert.equal(refused.error.code, 403)
    const created = await ask(server.url, { janus: 'create', apisecret: server.apiSecret })
    assert.equal(created.janus, 'success')
    assert.isNumber(created.data.id)
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('runs only the VideoRoom plugin and the WebSocket transport (no HTTP, no admin API)', async ({ assert }) => {
    const info = await ask(server.url, { janus: 'info' })
    assert.deepEqual(Object.keys(info.plugins), ['janus.plugin.videoroom'])
    assert.deepEqual(Object.keys(info.transports), ['janus.transport.websockets'])
    assert.isFalse(await reachable(JanusNamespace.JANUS_ADDRESS, 8088), 'no HTTP transport')
    assert.isFalse(await reachable(JanusNamespace.JANUS_ADDRESS, 7188), 'no admin WebSocket')
  }).skip(...printedSkip(janus.missing, janus.reason))

  test('a start after a crashed run (namespace and Janus left behind) cleans up and starts again', async ({ assert }) => {
    // As a crashed run would leave it: Janus still running in the namespace, nobody to stop it.
    namespace.create()
    assert.isTrue(await server.exited(3000), 'the old Janus was killed with its namespace')
    await server.start()
    const info = await ask(server.url, { janus: 'info' })
    assert.equal(info.janus, 'server_info')
  }).skip(...printedSkip(janus.missing, janus.reason))
})
