import { test } from '@japa/runner'
import CallParticipant from '#models/call_participant'
import OpenDirectChannel from '#actions/channels/open_direct_channel'
import ExpireRings from '#actions/calls/expire_rings'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, decline, endForEveryone, expireDeadline, leave, snapshot, startCall } from '#tests/helpers/calls'

test.group('Calls: accept', (group) => {
  withCleanDatabase(group)

  test('the first accept makes the call active; later ones just join', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    ;(await accept(client, bob!, callId)).assertStatus(200)
    const afterBob = await snapshot(callId)
    assert.equal(afterBob.call.status, 'active')
    assert.isNotNull(afterBob.call.answeredAt)

    ;(await accept(client, carol!, callId)).assertStatus(200)
    const afterCarol = await snapshot(callId)
    assert.deepEqual(afterCarol.statuses, { [alice!.id]: 'joined', [bob!.id]: 'joined', [carol!.id]: 'joined' })
    assert.equal(afterCarol.call.answeredAt!.toISO(), afterBob.call.answeredAt!.toISO())

    // Accepting twice changes nothing.
    ;(await accept(client, carol!, callId)).assertStatus(200)
    assert.deepEqual((await snapshot(callId)).statuses, afterCarol.statuses)
  })

  test('two accepts at the same moment both join and the call is answered once', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const responses = await Promise.all([accept(client, bob!, callId), accept(client, carol!, callId)])

    responses.forEach((response) => response.assertStatus(200))
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'active')
    assert.deepEqual(statuses, { [alice!.id]: 'joined', [bob!.id]: 'joined', [carol!.id]: 'joined' })
  })

  test('an ended call cannot be joined (409) and nothing changes', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await endForEveryone(client, alice!, callId)

    const late = await accept(client, bob!, callId)

    late.assertStatus(409)
    assert.equal(late.body().errors[0].message, 'This call has already ended.')
    assert.equal((await snapshot(callId)).statuses[bob!.id], 'missed')
  })
})

test.group('Calls: decline', (group) => {
  withCleanDatabase(group)

  test('in a direct message a decline ends the call as declined', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const dm = await new OpenDirectChannel().handle(alice!, bob!.id)
    const callId = (await startCall(client, alice!, dm)).body().call.id

    ;(await decline(client, bob!, callId)).assertStatus(200)

    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'declined')
    assert.equal(call.endReason, 'declined')
    assert.isNull(call.liveChannelId)
    assert.isNotNull(call.endedAt)
    assert.deepEqual(statuses, { [alice!.id]: 'left', [bob!.id]: 'declined' })
  })

  test('in a group a decline only marks that person, until nobody is left to answer', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    await decline(client, bob!, callId)
    let state = await snapshot(callId)
    assert.equal(state.call.status, 'ringing')
    assert.deepEqual(state.statuses, { [alice!.id]: 'joined', [bob!.id]: 'declined', [carol!.id]: 'ringing' })

    await decline(client, carol!, callId)
    state = await snapshot(callId)
    assert.equal(state.call.status, 'declined')
    assert.equal(state.statuses[alice!.id], 'left')
  })

  test('declining a ring that is not ringing is a 409; declining twice is harmless', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    ;(await decline(client, alice!, callId)).assertStatus(409)
    ;(await decline(client, bob!, callId)).assertStatus(200)
    ;(await decline(client, bob!, callId)).assertStatus(200)
    assert.equal((await snapshot(callId)).statuses[alice!.id], 'joined')
  })
})

test.group('Calls: leave and end', (group) => {
  withCleanDatabase(group)

  test('when the last person leaves the call ends, and whoever still rings gets a missed call', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)

    await leave(client, alice!, callId)
    assert.equal((await snapshot(callId)).call.status, 'active')

    ;(await leave(client, bob!, callId)).assertStatus(200)
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'ended')
    assert.equal(call.endReason, 'everyone_left')
    assert.deepEqual(statuses, { [alice!.id]: 'left', [bob!.id]: 'left', [carol!.id]: 'missed' })
    assert.isNotNull(call.answeredAt)
    assert.isAtLeast(call.durationSeconds()!, 0)
  })

  test('an initiator who hangs up before anyone answers cancels the call', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    await leave(client, alice!, callId)

    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'cancelled')
    assert.equal(statuses[bob!.id], 'missed')
    assert.equal(await CallParticipant.unseenMissedCount(bob!.id), 1)
  })

  test('only the initiator can end a call for everyone', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)

    const refused = await endForEveryone(client, bob!, callId)
    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].message, 'Only the person who started the call can end it for everyone.')
    assert.equal((await snapshot(callId)).call.status, 'active')

    ;(await endForEveryone(client, alice!, callId)).assertStatus(200)
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'ended')
    assert.equal(call.endReason, 'ended_by_initiator')
    assert.equal(call.endedById, alice!.id)
    assert.deepEqual(statuses, { [alice!.id]: 'left', [bob!.id]: 'left', [carol!.id]: 'missed' })

    ;(await endForEveryone(client, alice!, callId)).assertStatus(409)
  })

  test('after "End for everyone" the call page says who ended it, whatever requests came in between', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)

    // The HTML form, as the room's button sends it: a redirect to the ended room.
    const ended = await client.post(`/calls/${callId}/end`).loginAs(alice!).withCsrfToken().redirects(0)
    ended.assertStatus(302)
    // The page's participant list refreshes on the `call.ended` event before the redirect lands.
    const list = await client.get(`/calls/${callId}`).header('HX-Request', 'true').header('HX-Target', 'call-participants').loginAs(alice!)
    list.assertStatus(200)
    assert.include(list.text(), 'id="call-participants"')

    const alicePage = await client.get(`/calls/${callId}`).loginAs(alice!)
    assert.include(alicePage.text(), 'You ended the call for everyone.')
    const bobPage = await client.get(`/calls/${callId}`).loginAs(bob!)
    assert.include(bobPage.text(), 'The call was ended for everyone.')
    assert.notInclude(bobPage.text(), 'You ended the call')
  })

  test('end racing an accept leaves one consistent outcome', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const [ended, accepted] = await Promise.all([endForEveryone(client, alice!, callId), accept(client, bob!, callId)])

    ended.assertStatus(200)
    const { call, statuses } = await snapshot(callId)
    assert.isNull(call.liveChannelId)
    if (accepted.status() === 200) {
      // The accept went first: bob was in the call, then the end disconnected him.
      assert.equal(call.status, 'ended')
      assert.equal(statuses[bob!.id], 'left')
    } else {
      accepted.assertStatus(409)
      assert.equal(call.status, 'cancelled')
      assert.equal(statuses[bob!.id], 'missed')
    }
    assert.notInclude(Object.values(statuses), 'joined')
    assert.notInclude(Object.values(statuses), 'ringing')
  })
})

test.group('Calls: ring timeout', (group) => {
  withCleanDatabase(group)

  test('whoever still rings at the deadline gets a missed call; an unanswered call ends as missed', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await expireDeadline(callId)

    const changes = await new ExpireRings().sweep()

    assert.lengthOf(changes, 1)
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'missed')
    assert.equal(call.endReason, 'no_answer')
    assert.isNull(call.ringExpiresAt)
    assert.deepEqual(statuses, { [alice!.id]: 'left', [bob!.id]: 'missed', [carol!.id]: 'missed' })
    assert.equal(await CallParticipant.unseenMissedCount(carol!.id), 1)

    // A second sweep (another instance, a late timer) finds nothing left to do.
    assert.lengthOf(await new ExpireRings().sweep(), 0)
    assert.equal(await CallParticipant.unseenMissedCount(carol!.id), 1)
  })

  test('in an answered call only the people still ringing miss it', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)
    await expireDeadline(callId)

    await new ExpireRings().sweep()

    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'active')
    assert.isNull(call.ringExpiresAt)
    assert.deepEqual(statuses, { [alice!.id]: 'joined', [bob!.id]: 'joined', [carol!.id]: 'missed' })
  })

  test('a deadline not yet reached is left alone', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    assert.lengthOf(await new ExpireRings().sweep(), 0)
    assert.isNull(await new ExpireRings().expire(callId))
    assert.equal((await snapshot(callId)).call.status, 'ringing')
  })

  test('decline racing the timeout: exactly one of them wins for that person', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const dm = await new OpenDirectChannel().handle(alice!, bob!.id)
    const callId = (await startCall(client, alice!, dm)).body().call.id
    await expireDeadline(callId)

    const [declined, swept] = await Promise.all([decline(client, bob!, callId), new ExpireRings().sweep()])

    const { call, statuses } = await snapshot(callId)
    if (declined.status() === 200) {
      assert.equal(statuses[bob!.id], 'declined')
      assert.equal(call.status, 'declined')
      assert.lengthOf(swept, 0)
    } else {
      declined.assertStatus(409)
      assert.equal(statuses[bob!.id], 'missed')
      assert.equal(call.status, 'missed')
      assert.lengthOf(swept, 1)
    }
    assert.isNull(call.liveChannelId)
  })

  test('many sweepers at once expire a ring exactly once', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await expireDeadline(callId)

    const results = await Promise.all(Array.from({ length: 4 }, () => new ExpireRings().sweep()))

    assert.equal(results.flat().length, 1)
    assert.equal((await snapshot(callId)).call.status, 'missed')
    assert.equal(await CallParticipant.unseenMissedCount(bob!.id), 1)
  })
})

