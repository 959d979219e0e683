import { test } from '@japa/runner'
import Membership from '#models/membership'
import Message from '#models/message'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, startCall } from '#tests/helpers/calls'

test.group('Calls: the chat beside the call', (group) => {
  withCleanDatabase(group)

  test("the room renders the channel's timeline and composer, and leaves the read marker to the browser", async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const earlier = await Message.create({ channelId: channel.id, userId: alice!.id, body: 'Before the call <b>bold</b>' })
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id
    await accept(client, bob!, callId)

    const room = await client.get(`/calls/${callId}`).loginAs(bob!)
    room.assertStatus(200)
    const html = room.text()
    assert.include(html, `id="message-${earlier.id}"`)
    assert.include(html, 'Before the call &lt;b&gt;bold&lt;/b&gt;')
    assert.include(html, `hx-post="/channels/${channel.id}/messages"`)
    assert.include(html, 'id="composer-body"')
    assert.include(html, 'markOnShow: true')
    // The phone drawer starts closed: only what the browser shows is marked read.
    const membership = await Membership.query().where({ channelId: channel.id, userId: bob!.id }).firstOrFail()
    assert.isNull(membership.lastReadMessageId)

    // The channel page itself still marks its newest message read on load.
    ;(await client.get(`/channels/${channel.id}`).loginAs(bob!)).assertStatus(200)
    await membership.refresh()
    assert.isNotNull(membership.lastReadMessageId)
  })
})
