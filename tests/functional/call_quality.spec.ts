import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { DateTime } from 'luxon'
import CallQuality from '#models/call_quality'
import CallParticipant from '#models/call_participant'
import type User from '#models/user'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, startCall } from '#tests/helpers/calls'
import type { QualityReport } from '#helpers/quality_report'
import { scrapeMetrics } from '#tests/helpers/metrics'

function report(client: ApiClient, user: User, callId: number, body: Record<string, unknown>) {
  return client.post(`/calls/${callId}/quality_reports`).loginAs(user).accept('json').json(body).withCsrfToken()
}

const hostPair = { localCandidateType: 'host', remoteCandidateType: 'host' } satisfies Partial<QualityReport>

/** A call between alice and bob, answered: both are in it. */
async function answeredCall(client: ApiClient) {
  const [alice, bob, carol] = await people(3)
  const channel = await channelWith([alice!, bob!, carol!])
  const callId = (await startCall(client, alice!, channel)).body().call.id as number
  ;(await accept(client, bob!, callId)).assertStatus(200)
  return { alice: alice!, bob: bob!, carol: carol!, callId }
}

test.group('Call quality reports', (group) => {
  withCleanDatabase(group)

  test('invalid reports get 422 with each field named, and nothing is stored', async ({ client, assert }) => {
    const { alice, carol, callId } = await answeredCall(client)

    const response = await report(client, alice, callId, {
      peerUserId: alice.id,
      connectMs: -5,
      localCandidateType: 'turn',
      rttMs: 1e9,
      lossPercent: 140,
      framesDecoded: 1.5,
      frameWidth: 0,
    })
    response.assertStatus(422)
    const messages = Object.fromEntries(response.body().errors.map((error: { field: string; message: string }) => [error.field, error.message]))
    assert.containsSubset(messages, { peerUserId: 'This person is not another participant of this call' })
    for (const field of ['connectMs', 'localCandidateType', 'remoteCandidateType', 'rttMs', 'lossPercent', 'framesDecoded', 'frameWidth']) {
      assert.property(messages, field)
    }
    // carol is a member and was rung, but a peer must be in this call's participant list: she is.
    // Someone who was never invited is not.
    const [outsider] = await people(1)
    const stranger = await report(client, alice, callId, { ...hostPair, peerUserId: outsider!.id })
    stranger.assertStatus(422)
    assert.equal(stranger.body().errors[0].field, 'peerUserId')
    ;(await report(client, alice, callId, { ...hostPair, peerUserId: carol.id })).assertStatus(204)
    assert.equal(await CallQuality.query().count('* as total').first().then((row) => Number(row!.$extras.total)), 1)
  })

  test('only people in the call may report: a member who never joined gets 403, a non-member 404', async ({ client, assert }) => {
    const { alice, carol, callId } = await answeredCall(client)
    const [mallory] = await people(1)

    const ringing = await report(client, carol, callId, { ...hostPair, peerUserId: alice.id })
    ringing.assertStatus(403)
    assert.equal(ringing.body().errors[0].message, 'Only people in this call can report on its quality.')
    ;(await report(client, mallory!, callId, { ...hostPair, peerUserId: alice.id })).assertStatus(404)
    ;(await report(client, alice, 999_999, { ...hostPair, peerUserId: alice.id })).assertStatus(404)
    assert.lengthOf(await CallQuality.all(), 0)
  })

  test('a report on its way when the call ended is taken for a minute, not after', async ({ client }) => {
    const { alice, bob, callId } = await answeredCall(client)
    ;(await endForEveryone(client, alice, callId)).assertStatus(200)

    ;(await report(client, bob, callId, { ...hostPair, peerUserId: alice.id })).assertStatus(204)
    await CallParticipant.query().where({ callId, userId: bob.id }).update({ leftAt: DateTime.now().minus({ seconds: 61 }).toFormat('yyyy-MM-dd HH:mm:ss') })
    ;(await report(client, bob, callId, { ...hostPair, peerUserId: alice.id })).assertStatus(403)
  })

  test('two reports become one aggregate: first connect time, worst and mean figures, summed frames; counted once in the metrics', async ({ client, assert }) => {
    const { alice, bob, callId } = await answeredCall(client)
    const before = await scrapeMetrics()

    ;(await report(client, bob, callId, {
      ...hostPair,
      peerUserId: alice.id,
      connectMs: 800,
      rttMs: 40,
      lossPercent: 1,
      jitterMs: 5,
      framesDecoded: 300,
      framesDropped: 2,
      frameWidth: 640,
      frameHeight: 480,
    })).assertStatus(204)
    ;(await report(client, bob, callId, {
      peerUserId: alice.id,
      connectMs: 5000,
      localCandidateType: 'relay',
      remoteCandidateType: 'host',
      rttMs: 120,
      lossPercent: 3,
      framesDecoded: 600,
      framesDropped: 1,
      frameWidth: 1280,
      frameHeight: 720,
    })).assertStatus(204)

    const rows = await CallQuality.query().where('call_id', callId)
    assert.lengthOf(rows, 1)
    const row = rows[0]!
    assert.deepEqual(
      [row.userId, row.peerUserId, row.samples, row.connectMs, row.localCandidateType, row.remoteCandidateType, row.relayed],
      [bob.id, alice.id, 2, 800, 'relay', 'host', true]
    )
    assert.deepEqual([row.rttMsMax, row.rttMsMean, row.lossPercentMax, row.lossPercentMean], [120, 80, 3, 2])
    assert.deepEqual([row.jitterMsMax, row.jitterMsMean, row.jitterSamples], [5, 5, 1], 'a report without jitter does not pull the mean down')
    assert.deepEqual([row.framesDecoded, row.framesDropped, row.frameWidth, row.frameHeight], [900, 3, 1280, 720])

    const after = await scrapeMetrics()
    assert.equal(after.delta(before, 'confab_call_connect_seconds_count'), 1)
    assert.closeTo(after.delta(before, 'confab_call_connect_seconds_sum'), 0.8, 1e-9)
    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'host' }), 1)
    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'relay' }), 0, 'a connection is counted once, by its first report')
    assert.equal(after.delta(before, 'confab_call_rtt_seconds_count'), 2)
  })

  test('each person may send so many reports a minute; past that, 429 with Retry-After, others unaffected', async ({ client, assert }) => {
    const { alice, bob, callId } = await answeredCall(client)
    const limit = 60
    for (let sent = 0; sent < limit; sent++) {
      ;(await report(client, bob, callId, { ...hostPair, peerUserId: alice.id, rttMs: 10 })).assertStatus(204)
    }
    const before = await scrapeMetrics()
    const refused = await report(client, bob, callId, { ...hostPair, peerUserId: alice.id })
    refused.assertStatus(429)
    assert.match(refused.header('retry-after') ?? '', /^\d+$/)
    assert.match(refused.body().errors[0].message, /sending call quality reports too quickly/)
    assert.equal((await scrapeMetrics()).delta(before, 'confab_rate_limit_refusals_total', { limit: 'quality_reports' }), 1)
    ;(await report(client, alice, callId, { ...hostPair, peerUserId: bob.id })).assertStatus(204)
    const row = await CallQuality.query().where({ callId, userId: bob.id }).firstOrFail()
    assert.equal(row.samples, limit)
  })
})
