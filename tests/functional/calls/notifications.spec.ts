import { test } from '@japa/runner'
import OpenDirectChannel from '#actions/channels/open_direct_channel'
import ExpireRings from '#actions/calls/expire_rings'
import { BrowserlessClient, type SseStream } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { expireDeadline } from '#tests/helpers/calls'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** A signed-in "browser tab" with its SSE stream subscribed to the person's own channel. */
async function tabOf(user: User, cleanup: (fn: () => void) => void) {
  const browser = await new BrowserlessClient(baseUrl()).login(user.email, TEST_PASSWORD)
  const stream = await browser.openStream()
  cleanup(() => stream.close())
  const subscribed = await stream.subscribe(`users/${user.id}`)
  if (subscribed.status !== 204) throw new Error(`Subscribing to users/${user.id} answered ${subscribed.status}`)
  return { browser, stream }
}

async function postJson(browser: BrowserlessClient, path: string, body: unknown = {}) {
  const response = await browser.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

const ofType = (type: string) => (payload: any) => payload.type === type

test.group('Calls over SSE', (group) => {
  withCleanDatabase(group)

  test('a ring reaches every tab of the callee; accepting in one stops it in the others', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const aliceTab = await tabOf(alice!, cleanup)
    const bobTab1 = await tabOf(bob!, cleanup)
    const bobTab2 = await tabOf(bob!, cleanup)

    const started = await postJson(aliceTab.browser, `/channels/${channel.id}/calls`, { kind: 'video' })
    assert.equal(started.status, 201)
    const callId = started.body.call.id

    const bobChannel = `users/${bob!.id}`
    for (const tab of [bobTab1, bobTab2]) {
      const ring = await tab.stream.waitFor(bobChannel, ofType('call.ringing'))
      assert.deepEqual(ring, {
        type: 'call.ringing',
        callId,
        kind: 'video',
        channel: { id: channel.id, name: channel.name, kind: 'public' },
        caller: { id: alice!.id, name: alice!.fullName },
        ringExpiresAt: started.body.call.ringExpiresAt,
        busy: false,
      })
    }

    const accepted = await postJson(bobTab1.browser, `/calls/${callId}/participation`)
    assert.equal(accepted.status, 200)
    const stopped = await bobTab2.stream.waitFor(bobChannel, ofType('call.ring_stopped'))
    assert.deepEqual(stopped, { type: 'call.ring_stopped', callId, reason: 'accepted_elsewhere' })
  })

  test('a decline in a DM stops the ring and tells the caller the call ended', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const dm = await new OpenDirectChannel().handle(alice!, bob!.id)
    const aliceTab = await tabOf(alice!, cleanup)
    const bobTab = await tabOf(bob!, cleanup)
    const callId = (await postJson(aliceTab.browser, `/channels/${dm.id}/calls`, { kind: 'audio' })).body.call.id
    await bobTab.stream.waitFor(`users/${bob!.id}`, ofType('call.ringing'))

    assert.equal((await postJson(bobTab.browser, `/calls/${callId}/decline`)).status, 200)

    assert.deepEqual(await bobTab.stream.waitFor(`users/${bob!.id}`, ofType('call.ring_stopped')), {
      type: 'call.ring_stopped',
      callId,
      reason: 'declined',
    })
    assert.deepEqual(await aliceTab.stream.waitFor(`users/${alice!.id}`, ofType('call.ended')), {
      type: 'call.ended',
      callId,
      status: 'declined',
      reason: 'declined',
      endedBy: bob!.id,
    })
  })

  test('a ring that times out becomes a missed call with the new unseen count', async ({ assert, cleanup }) => {
    const [alice, carol] = await people(2)
    const channel = await channelWith([alice!, carol!])
    const aliceTab = await tabOf(alice!, cleanup)
    const carolTab = await tabOf(carol!, cleanup)
    const callId = (await postJson(aliceTab.browser, `/channels/${channel.id}/calls`, { kind: 'video' })).body.call.id
    await carolTab.stream.waitFor(`users/${carol!.id}`, ofType('call.ringing'))

    await expireDeadline(callId)
    await new ExpireRings().sweep()

    const carolChannel = `users/${carol!.id}`
    assert.deepEqual(await carolTab.stream.waitFor(carolChannel, ofType('call.ring_stopped')), {
      type: 'call.ring_stopped',
      callId,
      reason: 'missed',
    })
    const missed = await carolTab.stream.waitFor(carolChannel, ofType('call.missed'))
    assert.equal(missed.unseenCount, 1)
    assert.equal(missed.caller.id, alice!.id)
    const ended = await aliceTab.stream.waitFor(`users/${alice!.id}`, ofType('call.ended'))
    assert.equal(ended.reason, 'no_answer')
  })

  test('the channel stream carries the call for the banner and the room', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const aliceTab = await tabOf(alice!, cleanup)
    const bobTab = await tabOf(bob!, cleanup)
    assert.equal((await bobTab.stream.subscribe(`channels/${channel.id}`)).status, 204)

    const callId = (await postJson(aliceTab.browser, `/channels/${channel.id}/calls`, { kind: 'audio' })).body.call.id
    const feed = (stream: SseStream) => (type: string) =>
      stream.waitFor(`channels/${channel.id}`, (payload) => payload.type === type)

    const started = await feed(bobTab.stream)('call.started')
    assert.equal(started.call.id, callId)
    assert.equal(started.call.status, 'ringing')
    const timelineEntry = await feed(bobTab.stream)('message.posted')
    assert.include(timelineEntry.html, `data-call-id="${callId}"`)
    assert.include(timelineEntry.html, 'started an audio call')

    await postJson(bobTab.browser, `/calls/${callId}/participation`)
    const updated = await bobTab.stream.waitFor(
      `channels/${channel.id}`,
      (payload) => payload.type === 'call.updated' && payload.call.status === 'active'
    )
    assert.deepEqual(
      updated.call.participants.map((p: any) => [p.userId, p.status]),
      [[alice!.id, 'joined'], [bob!.id, 'joined']]
    )

    await postJson(aliceTab.browser, `/calls/${callId}/end`)
    const ended = await feed(bobTab.stream)('call.ended')
    assert.equal(ended.call.status, 'ended')
    assert.equal(ended.call.endReason, 'ended_by_initiator')
    const finalEntry = await bobTab.stream.waitFor(
      `channels/${channel.id}`,
      (payload) => payload.type === 'message.updated' && payload.html.includes('Call ended')
    )
    assert.include(finalEntry.html, '2 people')
  })
})
