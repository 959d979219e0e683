import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Call from '#models/call'
import ringTimer from '#services/ring_timer'
import ExpireRings from '#actions/calls/expire_rings'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { type MetricsSnapshot, scrapeMetrics } from '#tests/helpers/metrics'
import { until } from '#tests/helpers/waiting'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, decline, endForEveryone, expireDeadline, leave, snapshot, startCall } from '#tests/helpers/calls'

const RINGS = 'confab_rings_total'
const OUTCOMES = ['sent', 'answered', 'declined', 'missed', 'cancelled']

/** How much each ring outcome moved between two scrapes. */
function ringDeltas(after: MetricsSnapshot, before: MetricsSnapshot) {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, after.delta(before, RINGS, { outcome })]))
}

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

  test('a declined ring counts as declined, and the call it ended has no duration', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const before = await scrapeMetrics()

    const callId = (await startCall(client, alice!, channel, 'audio')).body().call.id as number
    ;(await decline(client, bob!, callId)).assertStatus(200)

    const after = await scrapeMetrics()
    assert.deepEqual(ringDeltas(after, before), { sent: 1, answered: 0, declined: 1, missed: 0, cancelled: 0 })
    assert.equal(after.delta(before, 'confab_calls_ended_total', { kind: 'audio' }), 1)
    assert.equal(after.delta(before, 'confab_call_participants_sum'), 1)
    assert.equal(after.delta(before, 'confab_call_duration_seconds_count'), 0)
    assert.equal(after.delta(before, 'confab_ring_answer_seconds_count'), 0)
  })

  test('a ring the ring timer expires counts as missed', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const before = await scrapeMetrics()

    const callId = (await startCall(client, alice!, channel)).body().call.id as number
    ;(await accept(client, carol!, callId)).assertStatus(200)
    // The real timer, re-armed for a deadline a moment away instead of 30 seconds.
    const call = await Call.findOrFail(callId)
    call.ringExpiresAt = DateTime.now().plus({ milliseconds: 300 })
    await call.save()
    ringTimer.arm(callId, call.ringExpiresAt)

    const after = await until(scrapeMetrics, (now) => now.delta(before, RINGS, { outcome: 'missed' }) > 0, 5000, 'the missed ring')
    assert.deepEqual(ringDeltas(after, before), { sent: 2, answered: 1, declined: 0, missed: 1, cancelled: 0 })
    assert.equal((await snapshot(callId)).call.status, 'active')
  })

  test('rings still going when the caller hangs up, or when the call ends, count as cancelled', async ({ client, assert }) => {
    const [alice, bob, carol, dave] = await people(4)
    const channel = await channelWith([alice!, bob!, carol!, dave!])
    const before = await scrapeMetrics()

    // Nobody answered: the caller hangs up on three rings.
    const hungUp = (await startCall(client, alice!, channel)).body().call.id as number
    ;(await leave(client, alice!, hungUp)).assertStatus(200)
    assert.equal((await snapshot(hungUp)).call.status, 'cancelled')
    const first = await scrapeMetrics()
    assert.deepEqual(ringDeltas(first, before), { sent: 3, answered: 0, declined: 0, missed: 0, cancelled: 3 })

    // Bob answered; the call ends while carol and dave still ring.
    const ended = (await startCall(client, alice!, channel)).body().call.id as number
    ;(await accept(client, bob!, ended)).assertStatus(200)
    ;(await endForEveryone(client, alice!, ended)).assertStatus(200)
    const second = await scrapeMetrics()
    assert.deepEqual(ringDeltas(second, first), { sent: 3, answered: 1, declined: 0, missed: 0, cancelled: 2 })
    assert.equal(second.delta(before, 'confab_calls_ended_total'), 2)
  })

  test('a decline racing the timeout counts the ring once, as whichever won', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id as number
    await expireDeadline(callId)
    const before = await scrapeMetrics()

    const [declined] = await Promise.all([decline(client, bob!, callId), new ExpireRings().sweep(), new ExpireRings().sweep()])

    const after = await scrapeMetrics()
    const won = declined.status() === 200 ? 'declined' : 'missed'
    assert.equal((await snapshot(callId)).statuses[bob!.id], won)
    assert.deepEqual(ringDeltas(after, before), { sent: 0, answered: 0, declined: won === 'declined' ? 1 : 0, missed: won === 'missed' ? 1 : 0, cancelled: 0 })
    assert.equal(after.delta(before, 'confab_calls_ended_total'), 1)
  })
})
