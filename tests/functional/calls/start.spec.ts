import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Call from '#models/call'
import Message from '#models/message'
import callsConfig from '#config/calls'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, snapshot, startCall } from '#tests/helpers/calls'

test.group('Calls: start', (group) => {
  withCleanDatabase(group)

  test('the initiator is in the call at once and every other member rings', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])

    const response = await startCall(client, alice!, channel, 'video')

    response.assertStatus(201)
    const body = response.body()
    assert.equal(body.call.status, 'ringing')
    assert.equal(body.call.kind, 'video')
    assert.isFalse(body.joinedExisting)
    const { call, statuses } = await snapshot(body.call.id)
    assert.deepEqual(statuses, { [alice!.id]: 'joined', [bob!.id]: 'ringing', [carol!.id]: 'ringing' })
    assert.equal(call.liveChannelId, channel.id)
    const ringSeconds = call.ringExpiresAt!.diff(DateTime.now(), 'seconds').seconds
    assert.closeTo(ringSeconds, callsConfig.ringTimeoutSeconds, 2)
    const entry = await Message.findByOrFail('callId', call.id)
    assert.equal(entry.userId, alice!.id)
  })

  test('a page form starts the call and opens the call room', async ({ client }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const response = await client
      .post(`/channels/${channel.id}/calls`)
      .loginAs(alice!)
      .form({ kind: 'audio' })
      .withCsrfToken()
      .redirects(0)
    const call = await Call.findByOrFail('channelId', channel.id)
    response.assertStatus(302)
    response.assertHeader('location', `/calls/${call.id}`)
  })

  test('starting in a channel that already has a live call joins it', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const first = await startCall(client, alice!, channel)

    const second = await startCall(client, bob!, channel, 'audio')

    second.assertStatus(200)
    assert.isTrue(second.body().joinedExisting)
    assert.equal(second.body().call.id, first.body().call.id)
    assert.lengthOf(await Call.all(), 1)
    const { call, statuses } = await snapshot(first.body().call.id)
    assert.equal(call.status, 'active')
    assert.equal(statuses[bob!.id], 'joined')
  })

  test('two people starting at the same moment end up in one call', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])

    const responses = await Promise.all([startCall(client, alice!, channel), startCall(client, bob!, channel)])

    assert.sameMembers(responses.map((response) => response.status()), [200, 201])
    assert.equal(responses[0].body().call.id, responses[1].body().call.id)
    assert.lengthOf(await Call.all(), 1)
    const { statuses } = await snapshot(responses[0].body().call.id)
    assert.equal(statuses[alice!.id], 'joined')
    assert.equal(statuses[bob!.id], 'joined')
    assert.equal(statuses[carol!.id], 'ringing')
  })

  test('a channel above the ring limit does not ring: the call is simply open', async ({ client, assert }) => {
    const members = await people(callsConfig.ringMaxMembers + 1)
    const channel = await channelWith(members)

    const response = await startCall(client, members[0]!, channel, 'audio')

    response.assertStatus(201)
    const { call, statuses } = await snapshot(response.body().call.id)
    assert.equal(call.status, 'active')
    assert.isNull(call.ringExpiresAt)
    assert.isNotNull(call.answeredAt)
    assert.deepEqual(statuses, { [members[0]!.id]: 'joined' })

    const page = await client.get(`/channels/${channel.id}`).loginAs(members[5]!)
    page.assertTextIncludes('Audio call in progress')
    page.assertTextIncludes(`hx-post="/calls/${call.id}/participation"`)
    ;(await accept(client, members[5]!, call.id)).assertStatus(200)
    assert.equal((await snapshot(call.id)).statuses[members[5]!.id], 'joined')
  })

  test('people already in another call still ring, flagged busy, and the caller learns it', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const elsewhere = await channelWith([carol!, bob!])
    const first = await startCall(client, carol!, elsewhere)
    await accept(client, bob!, first.body().call.id)
    const channel = await channelWith([alice!, bob!])

    const response = await startCall(client, alice!, channel)

    assert.deepEqual(response.body().busy, [{ userId: bob!.id, name: bob!.fullName }])
    const { rows } = await snapshot(response.body().call.id)
    const bobRow = rows.find((row) => row.userId === bob!.id)!
    assert.equal(bobRow.status, 'ringing')
    assert.isTrue(bobRow.busy)

    const room = await client.get(`/calls/${response.body().call.id}`).loginAs(alice!)
    room.assertTextIncludes(`${bob!.firstName} is in another call`)
  })

  test('bad input is refused with the reason and starts nothing', async ({ client, assert }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!])

    const invalid = await client.post(`/channels/${channel.id}/calls`).loginAs(alice!).accept('json').json({ kind: 'hologram' }).withCsrfToken()
    invalid.assertStatus(422)
    assert.equal(invalid.body().errors[0].field, 'kind')

    ;(await startCall(client, mallory!, channel)).assertStatus(404)
    const anonymous = await client.post(`/channels/${channel.id}/calls`).accept('json').json({ kind: 'audio' }).withCsrfToken()
    anonymous.assertStatus(401)
    assert.lengthOf(await Call.all(), 0)
  })

  test('starting is rate-limited per person', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])

    for (let attempt = 1; attempt <= callsConfig.startsPerMinute; attempt++) {
      const response = await startCall(client, alice!, channel)
      assert.oneOf(response.status(), [200, 201])
    }
    const limited = await startCall(client, alice!, channel)
    limited.assertStatus(429)
    assert.match(limited.body().errors[0].message, /^You are starting calls too quickly\. Try again in \d+ seconds\.$/)
    // Someone else is not affected.
    assert.oneOf((await startCall(client, bob!, channel)).status(), [200, 201])
  })
})
