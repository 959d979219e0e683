import { test } from '@japa/runner'
import { Redis } from 'ioredis'
import { RedisStreamDirectory, parseEnvelope } from '#services/redis_stream_directory'
import { printedSkip, redisForTests, TEST_REDIS_URL } from '#tests/helpers/services'

const redisUp = await redisForTests()

/** What anyone with access to Redis might publish on an instance's SSE inbox. */
const garbage = [
  'null',
  '42',
  '"command"',
  'not json',
  '{}',
  '{"kind":"command"}',
  '{"kind":"command","id":"x","from":"y"}',
  '{"kind":"command","id":"x","from":"y","command":null}',
  '{"kind":"command","id":"x","from":"y","command":{"op":"subscribe","uid":1}}',
  '{"kind":"command","id":"x","from":"y","command":{"op":"drop_tables","uid":"u"}}',
  '{"kind":"answer","id":"x","result":{"toString":1}}',
]

test.group('SSE inbox between instances (Redis)', () => {
  test('only well-formed messages are read', ({ assert }) => {
    for (const raw of garbage) assert.isNull(parseEnvelope(raw), raw)
    assert.deepEqual(parseEnvelope('{"kind":"answer","id":"a","result":"done"}'), { kind: 'answer', id: 'a', result: 'done' })
    const command = { kind: 'command', id: 'c', from: 'i', command: { op: 'subscribe', uid: 'u', channel: 'users/1' } }
    assert.deepEqual(parseEnvelope(JSON.stringify(command)), command)
  })

  test('garbage published on an inbox neither crashes the instance nor stops its commands', async ({ assert, cleanup }) => {
    const url = new URL(TEST_REDIS_URL)
    const options = { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0) }
    const holder = new RedisStreamDirectory(options)
    const asker = new RedisStreamDirectory(options)
    const publisher = new Redis(options)
    cleanup(async () => {
      await Promise.all([holder.close(), asker.close()])
      publisher.disconnect()
    })
    const handled: string[] = []
    holder.onCommand(async (command) => {
      handled.push(`${command.op} ${command.uid}`)
      return 'done'
    })
    // The holder's inbox is subscribed once a claim returns.
    const owner = { userId: 1, sessionId: 'garbage-test', instance: holder.instanceId, token: 'garbage-test-token' }
    await holder.claim('garbage-test-stream', owner, 10)
    cleanup(() => holder.release('garbage-test-stream', owner.token))
    for (const raw of garbage) await publisher.publish(`confab:sse:instance:${holder.instanceId}`, raw)

    const result = await asker.send(holder.instanceId, { op: 'subscribe', uid: 'garbage-test-stream', channel: 'users/1' }, 3000)
    assert.equal(result, 'done')
    assert.deepEqual(handled, ['subscribe garbage-test-stream'])
  }).skip(...printedSkip(!redisUp, `no Redis at ${TEST_REDIS_URL}`))
})
