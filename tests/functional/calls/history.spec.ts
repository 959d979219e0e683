import { test } from '@japa/runner'
import CallParticipant from '#models/call_participant'
import ExpireRings from '#actions/calls/expire_rings'
import { HISTORY_PAGE_SIZE } from '#actions/calls/call_history'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, expireDeadline, startCall } from '#tests/helpers/calls'

test.group('Calls: history', (group) => {
  withCleanDatabase(group)

  test('missed calls show on a Missed tab, the default while unseen; opening it marks them seen', async ({ client, assert }) => {
    const [alice, carol] = await people(2)
    const channel = await channelWith([alice!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await expireDeadline(callId)
    await new ExpireRings().sweep()

    const badge = await client.get('/channels').loginAs(carol!)
    badge.assertTextIncludes('id="missed-badge" class="badge" data-count="1"')

    const missed = await client.get('/calls').loginAs(carol!)
    missed.assertStatus(200)
    missed.assertTextIncludes('aria-current="page">Missed</a>')
    missed.assertTextIncludes(`data-call-id="${callId}"`)
    missed.assertTextIncludes('Incoming video')
    missed.assertTextIncludes(`action="/channels/${channel.id}/calls"`)
    assert.equal(await CallParticipant.unseenMissedCount(carol!.id), 0)

    const again = await client.get('/calls').loginAs(carol!).accept('json')
    assert.equal(again.body().tab, 'all')
    assert.equal(again.body().entries[0].statusLabel, 'Missed')

    const outgoing = await client.get('/calls').loginAs(alice!).accept('json')
    assert.equal(outgoing.body().entries[0].direction, 'outgoing')
    assert.equal(outgoing.body().entries[0].statusLabel, 'No answer')
  })

  test('the All tab shows direction, people, status and duration, newest first', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const first = (await startCall(client, alice!, channel, 'audio')).body().call.id
    await accept(client, bob!, first)
    await endForEveryone(client, alice!, first)
    const second = (await startCall(client, bob!, channel, 'video')).body().call.id
    await endForEveryone(client, bob!, second)

    const response = await client.get('/calls?tab=all').loginAs(bob!).accept('json')

    const entries = response.body().entries
    assert.deepEqual(entries.map((entry: any) => entry.call.id), [second, first])
    assert.deepEqual(entries.map((entry: any) => entry.direction), ['outgoing', 'incoming'])
    assert.deepEqual(entries.map((entry: any) => entry.statusLabel), ['Cancelled', 'Answered'])
    assert.deepEqual(entries[1].others, [alice!.fullName])
    assert.isNumber(entries[1].call.durationSeconds)
    assert.isNull(entries[0].call.durationSeconds)
  })

  test('pages by call id (keyset), not by offset', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const ids: number[] = []
    for (let index = 0; index < HISTORY_PAGE_SIZE + 3; index++) {
      const callId = (await startCall(client, alice!, channel, 'audio')).body().call.id
      await endForEveryone(client, alice!, callId)
      ids.push(callId)
      // The per-person start limit is not what this test is about.
      await (await import('@adonisjs/limiter/services/main')).default.clear()
    }

    const first = await client.get('/calls?tab=all').loginAs(bob!).accept('json')
    const firstIds = first.body().entries.map((entry: any) => entry.call.id)
    assert.deepEqual(firstIds, ids.slice().reverse().slice(0, HISTORY_PAGE_SIZE))
    assert.equal(first.body().nextBefore, firstIds.at(-1))

    const second = await client.get(`/calls?tab=all&before=${first.body().nextBefore}`).loginAs(bob!).accept('json')
    assert.deepEqual(second.body().entries.map((entry: any) => entry.call.id), ids.slice(0, 3).reverse())
    assert.isNull(second.body().nextBefore)

    const fragment = await client.get(`/calls?tab=all&before=${first.body().nextBefore}`).loginAs(bob!).header('hx-request', 'true')
    fragment.assertTextIncludes(`data-call-id="${ids[0]}"`)
    const { assertExcludes } = await import('#tests/helpers/assertions')
    assertExcludes(fragment, '<html')

    ;(await client.get('/calls?tab=everything').loginAs(bob!).accept('json')).assertStatus(422)
  })

  test('the timeline shows the call and how it ended', async ({ client }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const answered = (await startCall(client, alice!, channel, 'video')).body().call.id
    await accept(client, bob!, answered)
    await endForEveryone(client, alice!, answered)
    const unanswered = (await startCall(client, alice!, channel, 'audio')).body().call.id
    await expireDeadline(unanswered)
    await new ExpireRings().sweep()

    const page = await client.get(`/channels/${channel.id}`).loginAs(carol!)
    page.assertTextIncludes('Call ended · <span class="call-line__duration">')
    page.assertTextIncludes('2 people')
    page.assertTextIncludes(`Missed call from ${alice!.fullName}`)
  })
})
