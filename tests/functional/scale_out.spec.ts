import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { TEST_REDIS_URL, redisForTests } from '#tests/helpers/services'

const redisUp = await redisForTests()

/** Two real Confab processes sharing the test database, with or without Redis between them. */
function twoInstances(env: Record<string, string>, cleanup: (fn: () => Promise<void>) => void) {
  const shared = {
    NODE_ENV: 'test',
    SQLITE_PATH: app.tmpPath('test.sqlite3'),
    // Sessions in the signed cookie: any instance can read any session (no sticky sessions).
    SESSION_DRIVER: 'cookie',
    ...env,
  }
  const a = new AppProcess(3393, shared)
  const b = new AppProcess(3394, shared)
  cleanup(() => a.stop())
  cleanup(() => b.stop())
  return Promise.all([a.ready('/health'), b.ready('/health')]).then(() => ({ a, b }))
}

test.group('Scale-out: several instances behind one address', (group) => {
  withCleanDatabase(group)

  test('a ring started on instance A reaches a browser subscribed on instance B (Redis)', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({ REDIS_URL: TEST_REDIS_URL }, cleanup)
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])

    const bobOnB = await new BrowserlessClient(b.url).login(bob!.email, TEST_PASSWORD)
    const stream = await bobOnB.openStream()
    cleanup(async () => stream.close())
    assert.equal((await stream.subscribe(`users/${bob!.id}`)).status, 204)

    const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const started = await aliceOnA.fetch(`/channels/${channel.id}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ kind: 'audio' }),
    })
    assert.equal(started.status, 201)
    const callId = (await started.json()).call.id

    const ring = await stream.waitFor(`users/${bob!.id}`, (payload) => payload.type === 'call.ringing', 5000)
    assert.equal(ring.callId, callId)

    const health = await (await fetch(`${b.url}/health`)).json()
    assert.deepEqual(health.checks.map((check: any) => check.status), ['ok', 'ok'])
    assert.equal(health.checks[1].name, 'Redis health check')
  })
    .timeout(60_000)
    .skip(!redisUp, 'no Redis on this machine')

  test('without Redis, the same ring stays on instance A (what the Redis transport fixes)', async ({ assert, cleanup }) => {
    const { a, b } = await twoInstances({}, cleanup)
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])

    const bobOnB = await new BrowserlessClient(b.url).login(bob!.email, TEST_PASSWORD)
    const stream = await bobOnB.openStream()
    cleanup(async () => stream.close())
    assert.equal((await stream.subscribe(`users/${bob!.id}`)).status, 204)

    const aliceOnA = await new BrowserlessClient(a.url).login(alice!.email, TEST_PASSWORD)
    const started = await aliceOnA.fetch(`/channels/${channel.id}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ kind: 'audio' }),
    })
    assert.equal(started.status, 201)
    await assert.rejects(
      () => stream.waitFor(`users/${bob!.id}`, (payload) => payload.type === 'call.ringing', 1500),
      /No matching event/
    )
  }).timeout(60_000)
})
