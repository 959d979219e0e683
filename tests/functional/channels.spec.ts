import { test } from '@japa/runner'
import { assertExcludes } from '#tests/helpers/assertions'
import Channel from '#models/channel'
import Membership from '#models/membership'
import { UserFactory } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'

async function isMember(channelId: number, userId: number) {
  return (await Membership.query().where({ channelId, userId }).first()) !== null
}

test.group('Channels: create', (group) => {
  withCleanDatabase(group)

  test('creates a channel with its creator as the only member', async ({ client, assert }) => {
    const [alice] = await people(1)

    const response = await client
      .post('/channels')
      .loginAs(alice!)
      .form({ name: 'Design-Review', topic: 'Pixels', kind: 'private' })
      .withCsrfToken()
      .redirects(0)

    const channel = await Channel.findByOrFail('name', 'design-review')
    response.assertStatus(302)
    response.assertHeader('location', `/channels/${channel.id}`)
    assert.equal(channel.kind, 'private')
    assert.equal(channel.topic, 'Pixels')
    assert.isTrue(await isMember(channel.id, alice!.id))
  })

  test('rejects a taken or malformed name and keeps nothing', async ({ client, assert }) => {
    const [alice] = await people(1)
    await channelWith([alice!]).then((channel) => channel.merge({ name: 'general' }).save())

    const taken = await client
      .post('/channels')
      .loginAs(alice!)
      .header('referer', '/channels/new')
      .form({ name: 'General', kind: 'public' })
      .withCsrfToken()
      .redirects(0)
    taken.assertHeader('location', '/channels/new')
    assert.deepEqual((taken.flashMessages().inputErrorsBag as Record<string, string[]>).name, ['This channel name is already taken'])

    const malformed = await client
      .post('/channels')
      .loginAs(alice!)
      .form({ name: 'two words', kind: 'secret' })
      .withCsrfToken()
      .redirects(0)
    const errors = malformed.flashMessages().inputErrorsBag as Record<string, string[]>
    assert.match(errors.name[0], /^Use lower-case letters/)
    assert.deepEqual(errors.kind, ['Please choose one of the options'])
    assert.equal((await Channel.all()).length, 1)
  })
})

test.group('Channels: membership', (group) => {
  withCleanDatabase(group)

  test('a non-member gets a 404 on the channel page, a member sees it', async ({ client }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!], 'public')

    const outsider = await client.get(`/channels/${channel.id}`).loginAs(mallory!)
    outsider.assertStatus(404)
    outsider.assertTextIncludes('This page does not exist, or you are not a member of it.')

    const member = await client.get(`/channels/${channel.id}`).loginAs(alice!)
    member.assertStatus(200)
    member.assertTextIncludes(`<h1>`)
    member.assertTextIncludes(channel.name!)
  })

  test('anyone can join a public channel; a private one answers 404 to outsiders', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const open = await channelWith([alice!], 'public')
    const secret = await channelWith([alice!], 'private')

    const joined = await client.post(`/channels/${open.id}/membership`).loginAs(bob!).withCsrfToken().redirects(0)
    joined.assertHeader('location', `/channels/${open.id}`)
    assert.isTrue(await isMember(open.id, bob!.id))

    const refused = await client.post(`/channels/${secret.id}/membership`).loginAs(bob!).withCsrfToken()
    refused.assertStatus(404)
    assert.isFalse(await isMember(secret.id, bob!.id))
  })

  test('joining twice keeps one membership', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!])

    await Promise.all([
      client.post(`/channels/${channel.id}/membership`).loginAs(bob!).withCsrfToken().redirects(0),
      client.post(`/channels/${channel.id}/membership`).loginAs(bob!).withCsrfToken().redirects(0),
    ])
    const rows = await Membership.query().where({ channelId: channel.id, userId: bob!.id })
    assert.lengthOf(rows, 1)
  })

  test('members add people to a private channel; outsiders cannot', async ({ client, assert }) => {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!], 'private')

    const added = await client
      .post(`/channels/${channel.id}/members`)
      .loginAs(alice!)
      .form({ userId: bob!.id })
      .withCsrfToken()
      .redirects(0)
    added.assertHeader('location', `/channels/${channel.id}`)
    assert.isTrue(await isMember(channel.id, bob!.id))

    const outsider = await client
      .post(`/channels/${channel.id}/members`)
      .loginAs(mallory!)
      .form({ userId: mallory!.id })
      .withCsrfToken()
    outsider.assertStatus(404)
    assert.isFalse(await isMember(channel.id, mallory!.id))

    const nobody = await client
      .post(`/channels/${channel.id}/members`)
      .loginAs(alice!)
      .accept('json')
      .json({ userId: 999999 })
      .withCsrfToken()
    nobody.assertStatus(422)
    assert.equal(nobody.body().errors[0].message, 'No such user')
  })

  test('leaving removes the membership and the page is gone for me', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])

    const left = await client.delete(`/channels/${channel.id}/membership`).loginAs(bob!).withCsrfToken().redirects(0)
    left.assertHeader('location', '/channels')
    assert.isFalse(await isMember(channel.id, bob!.id))
    ;(await client.get(`/channels/${channel.id}`).loginAs(bob!)).assertStatus(404)
  })

  test('the browse page lists public channels only, with Join or Open', async ({ client }) => {
    const [alice, bob] = await people(2)
    const open = await channelWith([alice!], 'public')
    const mine = await channelWith([bob!], 'public')
    const secret = await channelWith([alice!], 'private')

    const response = await client.get('/channels').loginAs(bob!)
    response.assertStatus(200)
    response.assertTextIncludes(`action="/channels/${open.id}/membership"`)
    response.assertTextIncludes(`href="/channels/${mine.id}"`)
    response.assertTextIncludes(`#${open.name}`)
    assertExcludes(response, secret.name!)
  })
})

test.group('Channels: direct messages', (group) => {
  withCleanDatabase(group)

  test('"Message Bob" opens the DM once and reuses it from either side', async ({ client, assert }) => {
    const [alice, bob] = await people(2)

    const first = await client.post('/direct_channels').loginAs(alice!).form({ userId: bob!.id }).withCsrfToken().redirects(0)
    const dm = await Channel.findByOrFail('directKey', Channel.directKeyFor(alice!.id, bob!.id))
    first.assertHeader('location', `/channels/${dm.id}`)
    assert.equal(dm.kind, 'direct')
    assert.isTrue(await isMember(dm.id, alice!.id))
    assert.isTrue(await isMember(dm.id, bob!.id))

    const again = await client.post('/direct_channels').loginAs(bob!).form({ userId: alice!.id }).withCsrfToken().redirects(0)
    again.assertHeader('location', `/channels/${dm.id}`)
    assert.lengthOf(await Channel.query().where('kind', 'direct'), 1)

    const page = await client.get(`/channels/${dm.id}`).loginAs(alice!)
    page.assertTextIncludes(bob!.fullName)
  })

  test('two simultaneous openings end in the same channel', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const responses = await Promise.all([
      client.post('/direct_channels').loginAs(alice!).form({ userId: bob!.id }).withCsrfToken().redirects(0),
      client.post('/direct_channels').loginAs(bob!).form({ userId: alice!.id }).withCsrfToken().redirects(0),
    ])
    assert.equal(responses[0].header('location'), responses[1].header('location'))
    assert.lengthOf(await Channel.query().where('kind', 'direct'), 1)
  })

  test('a direct message cannot be left or joined by others', async ({ client, assert }) => {
    const [alice, bob, mallory] = await people(3)
    await client.post('/direct_channels').loginAs(alice!).form({ userId: bob!.id }).withCsrfToken()
    const dm = await Channel.findByOrFail('kind', 'direct')

    const leave = await client.delete(`/channels/${dm.id}/membership`).loginAs(bob!).accept('json').withCsrfToken()
    leave.assertStatus(403)
    assert.equal(leave.body().errors[0].message, 'A direct message cannot be left.')
    const leaveForm = await client
      .delete(`/channels/${dm.id}/membership`)
      .loginAs(bob!)
      .header('referer', `/channels/${dm.id}`)
      .withCsrfToken()
      .redirects(0)
    leaveForm.assertHeader('location', `/channels/${dm.id}`)
    leaveForm.assertFlashMessage('error', 'A direct message cannot be left.')
    ;(await client.post(`/channels/${dm.id}/membership`).loginAs(mallory!).withCsrfToken()).assertStatus(404)
    ;(await client.get(`/channels/${dm.id}`).loginAs(mallory!)).assertStatus(404)
    assert.isTrue(await isMember(dm.id, bob!.id))
  })

  test('the sidebar lists my channels and DMs with unread counts', async ({ client }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    await client.post(`/channels/${channel.id}/messages`).loginAs(bob!).form({ body: 'one' }).withCsrfToken()
    await client.post(`/channels/${channel.id}/messages`).loginAs(bob!).form({ body: 'two' }).withCsrfToken()
    await client.post('/direct_channels').loginAs(bob!).form({ userId: alice!.id }).withCsrfToken()

    const response = await client.get('/channels').loginAs(alice!)
    response.assertTextIncludes(`href="/channels/${channel.id}"`)
    response.assertTextIncludes('data-unread="2"')
    response.assertTextIncludes(`<span class="sidebar__title">${bob!.fullName}</span>`)

    // Opening the channel reads it: the badge is gone on the next page.
    await client.get(`/channels/${channel.id}`).loginAs(alice!)
    const after = await client.get('/channels').loginAs(alice!)
    assertExcludes(after, 'data-unread="2"')
  })
})

test.group('Channels: unknown users and ids', (group) => {
  withCleanDatabase(group)

  test('a DM with a user that does not exist is a validation error', async ({ client }) => {
    const alice = await UserFactory.create()
    const response = await client.post('/direct_channels').loginAs(alice).accept('json').json({ userId: 'abc' }).withCsrfToken()
    response.assertStatus(422)
  })
})
