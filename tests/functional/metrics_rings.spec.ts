import { test } from '@japa/runner'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { scrapeMetrics } from '#tests/helpers/metrics'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, startCall } from '#tests/helpers/calls'

const RINGS = 'confab_rings_total'

test.group('Metrics: rings and calls', (group) => {
  withCleanDatabase(group)

  test('a call that rings, is answered and ends moves the funnel and the call metrics once', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const before = await scrapeMetrics()

    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
    const ringing = await scrapeMetrics()
    assert.equal(ringing.delta(before, RINGS, { outcome: 'sent' }), 1)
    assert.equal(ringing.delta(before, 'confab_calls_started_total', { kind: 'video' }), 1)
    assert.equal(ringing.delta(before, 'confab_calls_started_total', { kind: 'audio' }), 0)
    assert.equal(ringing.value('confab_live_calls'), 1)

    const accepted = await accept(client, bob!, callId)
    accepted.assertStatus(200)
    // A second click changes nothing, and counts nothing.
    ;(await accept(client, bob!, callId)).assertStatus(200)
    const sockets = [await CallSocketClient.as(alice!, callId), await CallSocketClient.as(bob!, callId)]
    for (const socket of sockets) {
      cleanup(() => socket.close())
      await socket.next('welcome')
    }
    const live = await scrapeMetrics()
    assert.equal(live.delta(before, RINGS, { outcome: 'answered' }), 1)
    assert.equal(live.delta(before, 'confab_ring_answer_seconds_count'), 1)
    assert.isAtLeast(live.delta(before, 'confab_ring_answer_seconds_sum'), 0)
    assert.equal(live.delta(ringing, 'confab_call_sockets'), 2)

    ;(await endForEveryone(client, alice!, callId)).assertStatus(200)
    const after = await scrapeMetrics()
    assert.equal(after.delta(before, RINGS, { outcome: 'sent' }), 1)
    assert.equal(after.delta(before, RINGS, { outcome: 'answered' }), 1)
    for (const outcome of ['declined', 'missed', 'cancelled']) {
      assert.equal(after.delta(before, RINGS, { outcome }), 0, outcome)
    }
    assert.equal(after.delta(before, 'confab_calls_ended_total', { kind: 'video' }), 1)
    assert.equal(after.delta(before, 'confab_call_participants_count'), 1)
    assert.equal(after.delta(before, 'confab_call_participants_sum'), 2)
    assert.equal(after.delta(before, 'confab_call_duration_seconds_count', { kind: 'video' }), 1)
    assert.equal(after.value('confab_live_calls'), 0)
  })
})
