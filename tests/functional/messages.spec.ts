import { test } from '@japa/runner'
import { assertExcludes } from '#tests/helpers/assertions'
import Message from '#models/message'
import Membership from '#models/membership'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'

test.group('Messages', (group) => {
  withCleanDatabase(group)

  test('posting from the composer (htmx) returns the escaped message fragment', async ({ client, assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])

    const response = await client
      .post(`/channels/${channel.id}/messages`)
      .loginAs(alice!)
      .header('hx-request', 'true')
      .form({ body: '  <script>alert(1)</script> & hi  ' })
      .withCsrfToken()

    response.assertStatus(200)
    const message = await Message.findByOrFail('channelId', channel.id)
    assert.equal(message.body, '<script>alert(1)</script> & hi')
    response.assertTextIncludes(`id="message-${message.id}"`)
    response.assertTextIncludes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; hi')
    assertExcludes(response, '<script>alert(1)')
    // My own message is read by me.
    const membership = await Membership.query().where({ channelId: channel.id, userId: alice!.id }).firstOrFail()
    assert.equal(membership.lastReadMessageId, message.id)
  })

  test('an empty or too long message is refused with a reason and nothing is saved', async ({ client, assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const post = (body: string) =>
      client
        .post(`/channels/${channel.id}/messages`)
        .loginAs(alice!)
        .header('hx-request', 'true')
        .form({ body })
        .withCsrfToken()

    const empty = await post('   ')
    empty.assertStatus(422)
    assert.equal(empty.body().errors[0].message, 'Write something first')

    const long = await post('x'.repeat(Message.MAX_LENGTH + 1))
    long.assertStatus(422)
    assert.equal(long.body().errors[0].message, `Messages are limited to ${Message.MAX_LENGTH} characters`)

    ;(await post('x'.repeat(Message.MAX_LENGTH))).assertStatus(200)
    assert.lengthOf(await Message.all(), 1)
  })

  test('non-members cannot post or read, even knowing the id', async ({ client, assert }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!])

    const posted = await client
      .post(`/channels/${channel.id}/messages`)
      .loginAs(mallory!)
      .form({ body: 'hi' })
      .withCsrfToken()
    posted.assertStatus(404)
    ;(await client.get(`/channels/${channel.id}/messages?before=10`).loginAs(mallory!)).assertStatus(404)
    assert.lengthOf(await Message.all(), 0)
  })

  test('the page shows the latest 50 in order; older ones load by pages', async ({ client, assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    for (let index = 1; index <= 55; index++) {
      await Message.create({ channelId: channel.id, userId: alice!.id, body: `message number ${index}.` })
    }
    const ids = (await Message.query().orderBy('id')).map((message) => message.id)

    const page = await client.get(`/channels/${channel.id}`).loginAs(alice!)
    const shown = [...page.text().matchAll(/message number (\d+)\./g)].map((match) => Number(match[1]))
    assert.deepEqual(shown, Array.from({ length: 50 }, (_, index) => index + 6))
    page.assertTextIncludes(`/channels/${channel.id}/messages?before=${ids[5]}`)

    const older = await client.get(`/channels/${channel.id}/messages?before=${ids[5]}`).loginAs(alice!)
    older.assertStatus(200)
    const olderShown = [...older.text().matchAll(/message number (\d+)\./g)].map((match) => Number(match[1]))
    assert.deepEqual(olderShown, [1, 2, 3, 4, 5])
    older.assertTextIncludes('This is the start of the conversation.')
    assertExcludes(older, '<html')

    const bad = await client.get(`/channels/${channel.id}/messages?before=-3`).loginAs(alice!).accept('json')
    bad.assertStatus(422)
  })

  test('the read marker only moves forward and only to messages of that channel', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const other = await channelWith([bob!])
    const first = await Message.create({ channelId: channel.id, userId: bob!.id, body: 'first' })
    const second = await Message.create({ channelId: channel.id, userId: bob!.id, body: 'second' })
    const elsewhere = await Message.create({ channelId: other.id, userId: bob!.id, body: 'elsewhere' })
    const marker = async () =>
      (await Membership.query().where({ channelId: channel.id, userId: alice!.id }).firstOrFail()).lastReadMessageId
    const put = (messageId: number) =>
      client.put(`/channels/${channel.id}/read_marker`).loginAs(alice!).json({ messageId }).withCsrfToken()

    ;(await put(second.id)).assertStatus(204)
    assert.equal(await marker(), second.id)
    await put(first.id)
    assert.equal(await marker(), second.id)
    await put(elsewhere.id)
    assert.equal(await marker(), second.id)
  })
})
