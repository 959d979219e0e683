import { test } from '@japa/runner'
import { loggedErrors } from '#tests/helpers/logging'
import { Redis } from 'ioredis'
import ExpireRings from '#actions/calls/expire_rings'
import LeaveCall from '#actions/calls/leave_call'
import { RedisBus, type BusMessage } from '#signaling/call_bus'
import callHub from '#signaling/call_hub'
import callsConfig from '#config/calls'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, expireDeadline, snapshot, startCall } from '#tests/helpers/calls'
import { printedSkip, redisForTests, TEST_REDIS_URL } from '#tests/helpers/services'
import { Arrivals } from '#tests/helpers/waiting'

const redisUp = await redisForTests()

/** Two calls in two channels, each started by its first person. */
async function twoCalls(client: any) {
  const [alice, bob, carol, dave] = await people(4)
  const first = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id as number
  const second = (await startCall(client, carol!, await channelWith([carol!, dave!]))).body().call.id as number
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave!, first, second }
}

test.group('Sweepers: one failing row does not stop the others', (group) => {
  withCleanDatabase(group)

  test('the ring sweep logs a call it cannot expire and expires the rest', async ({ client, assert, cleanup }) => {
    const { first, second, dave } = await twoCalls(client)
    await expireDeadline(first)
    await expireDeadline(second)
    const expire = ExpireRings.prototype.expire
    ExpireRings.prototype.expire = function (callId, now) {
      if (callId === first) return Promise.reject(new Error('database hiccup on this row'))
      return expire.call(this, callId, now)
    }
    cleanup(() => {
      ExpireRings.prototype.expire = expire
    })
    const errors = loggedErrors(cleanup)

    const changes = await new ExpireRings().sweep()

    assert.deepEqual(changes.map((change) => change.call.id), [second])
    const after = await snapshot(second)
    assert.equal(after.call.status, 'missed')
    assert.equal(after.statuses[dave.id], 'missed')
    assert.equal((await snapshot(first)).call.status, 'ringing', 'the failing call waits for the next sweep')
    assert.lengthOf(errors, 1)
    assert.equal(errors[0]![1], 'ring expiry failed for one call')
    assert.equal((errors[0]![0] as any).callId, first)
  })

  test('the absent sweep logs a person it cannot remove and removes the rest', async ({ client, assert, cleanup }) => {
    const { alice, bob, carol, dave, first, second } = await twoCalls(client)
    await accept(client, bob, first)
    await accept(client, dave, second)
    const handle = LeaveCall.prototype.handle
    LeaveCall.prototype.handle = function (user, callId, ...rest) {
      if (callId === first) return Promise.reject(new Error('database hiccup on this row'))
      return handle.call(this, user, callId, ...rest)
    }
    cleanup(() => {
      LeaveCall.prototype.handle = handle
    })
    const errors = loggedErrors(cleanup)

    const reaped = await callHub.reapAbsent(Date.now() + callsConfig.reconnectGraceSeconds * 1000 + 1000)

    assert.sameDeepMembers(reaped, [
      { callId: second, userId: carol.id },
      { callId: second, userId: dave.id },
    ])
    assert.equal((await snapshot(second)).call.status, 'ended')
    const stuck = await snapshot(first)
    assert.deepEqual([stuck.statuses[alice.id], stuck.statuses[bob.id]], ['joined', 'joined'])
    assert.lengthOf(errors, 2, 'one log line per person that failed')
    assert.equal(errors[0]![1], 'absent participant sweep failed for one person')
  })
})

test.group('Call bus: malformed messages', () => {
  test('garbage published on a call channel is ignored; the bus keeps delivering', async ({ assert, cleanup }) => {
    const url = new URL(TEST_REDIS_URL)
    const options = { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0) }
    const callId = 900_000 + Math.floor(Math.random() * 99_999)
    const here = new RedisBus(options)
    const elsewhere = new RedisBus(options)
    const raw = new Redis(options)
    cleanup(async () => {
      await here.close()
      await elsewhere.close()
      raw.disconnect()
    })
    const received = new Arrivals<BusMessage>()
    let calls = 0
    await here.join(callId, (message) => {
      calls += 1
      // A handler that fails once must not stop the next messages either.
      if (calls === 1) throw new Error('handler bug')
      received.push(message)
    })

    await elsewhere.publish(callId, { origin: elsewhere.instanceId, kind: 'sync', left: [{ userId: 7, reason: 'left' }], ended: null })
    for (const garbage of [
      'not json',
      'null',
      '42',
      '[]',
      '{}',
      '{"kind":"sync"}',
      '{"origin":"x","kind":"sync"}',
      '{"origin":"x","kind":"sync","left":[{"userId":"7","reason":"left"}],"ended":null}',
      '{"origin":"x","kind":"sync","left":[{"userId":7,"reason":"gone"}],"ended":null}',
      '{"origin":"x","kind":"sync","left":[],"ended":{"endedBy":"me","reason":null}}',
      '{"origin":"x","kind":"frame"}',
      '{"origin":"x","kind":"frame","payload":5}',
      '{"origin":"x","kind":"replace","userId":"me"}',
      '{"origin":"x","kind":"nonsense"}',
    ]) {
      await raw.publish(`confab:call:${callId}`, garbage)
    }
    await elsewhere.publish(callId, { origin: elsewhere.instanceId, kind: 'frame', to: 7, payload: '{"type":"media"}' })

    const delivered = await received.waitFor(() => true, 3000, () => 'the valid message after the garbage never arrived')
    assert.deepEqual(delivered, { origin: elsewhere.instanceId, kind: 'frame', to: 7, payload: '{"type":"media"}' })
    assert.equal(calls, 2, 'only the two valid messages reached the handler')
  }).skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})
