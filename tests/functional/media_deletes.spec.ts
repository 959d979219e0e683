import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, storedRecordings, uploadMedia, withCleanMediaStorage } from '#tests/helpers/media'
import Message from '#models/message'
import MessageMedia from '#models/message_media'
import Call from '#models/call'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const signedIn = (email: string) => new BrowserlessClient(baseUrl()).login(email, TEST_PASSWORD)
const destroy = (browser: BrowserlessClient, id: number, headers: Record<string, string> = { 'hx-request': 'true' }) =>
  browser.fetch(`/messages/${id}`, { method: 'DELETE', headers })

test.group('Media messages: deleting', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('the author deletes a voice message: row and file gone, every member told over SSE', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alices = await signedIn(alice!.email)
    const posted = await uploadMedia(alices, channel.id, 'voice', await readFile(fixturePath('chromium_voice.webm')))
    const { id } = await posted.json()
    assert.lengthOf(await storedRecordings(), 1)

    const stream = await (await signedIn(bob!.email)).openStream()
    cleanup(() => stream.close())
    assert.equal((await stream.subscribe(`channels/${channel.id}`)).status, 204)

    const response = await destroy(alices, id)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), '')
    const event = await stream.waitFor(`channels/${channel.id}`, (payload) => payload.type === 'message.deleted')
    assert.deepEqual(event, { type: 'message.deleted', id })
    assert.isNull(await Message.find(id))
    assert.lengthOf(await MessageMedia.all(), 0)
    assert.deepEqual(await storedRecordings(), [])
    assert.equal((await alices.fetch(`/messages/${id}/media`)).status, 404)
    // Already gone: a second delete finds nothing.
    assert.equal((await destroy(alices, id)).status, 404)
  })

  test('another member gets 403 and a non-member 404; the message and its file stay', async ({ assert }) => {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!, bob!])
    const posted = await uploadMedia(await signedIn(alice!.email), channel.id, 'video', await readFile(fixturePath('chromium_video.webm')), { type: 'video/webm' })
    const { id } = await posted.json()

    const bobs = await destroy(await signedIn(bob!.email), id, { accept: 'application/json' })
    assert.equal(bobs.status, 403)
    assert.equal((await bobs.json()).errors[0].message, 'Only its author can delete a message.')
    assert.equal((await destroy(await signedIn(mallory!.email), id)).status, 404)
    assert.isNotNull(await Message.find(id))
    assert.lengthOf(await storedRecordings(), 1)
  })

  test('a text message is deleted the same way (JSON: 204); a call entry cannot be deleted (403)', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const text = await Message.create({ channelId: channel.id, userId: alice!.id, body: 'oops' })
    const alices = await signedIn(alice!.email)
    assert.equal((await destroy(alices, text.id, { accept: 'application/json' })).status, 204)
    assert.isNull(await Message.find(text.id))

    const call = await Call.create({ channelId: channel.id, initiatorId: alice!.id, kind: 'audio', status: 'ended' })
    const entry = await Message.create({ channelId: channel.id, userId: alice!.id, body: '', callId: call.id })
    const refused = await destroy(alices, entry.id, { accept: 'application/json' })
    assert.equal(refused.status, 403)
    assert.equal((await refused.json()).errors[0].message, 'A call in the timeline cannot be deleted.')
    assert.isNotNull(await Message.find(entry.id))
  })

  test('without a CSRF token nothing is deleted', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const text = await Message.create({ channelId: channel.id, userId: alice!.id, body: 'keep me' })
    const alices = await signedIn(alice!.email)
    const response = await fetch(`${baseUrl()}/messages/${text.id}`, { method: 'DELETE', headers: { cookie: alices.cookieHeader, accept: 'application/json' } })
    assert.equal(response.status, 403)
    assert.isNotNull(await Message.find(text.id))
  })

  test('the live fragment carries the delete button hidden, for the page of its author to show', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const stream = await (await signedIn(bob!.email)).openStream()
    cleanup(() => stream.close())
    await stream.subscribe(`channels/${channel.id}`)
    await uploadMedia(await signedIn(alice!.email), channel.id, 'voice', await readFile(fixturePath('firefox_voice.ogg')), { type: 'audio/ogg' })
    const event = await stream.waitFor(`channels/${channel.id}`, (payload) => payload.type === 'message.posted')
    assert.equal(event.authorId, alice!.id)
    assert.include(event.html, 'data-message-kind="voice"')
    assert.include(event.html, `<audio controls preload="metadata" src="/messages/${event.id}/media"`)
    assert.match(event.html, new RegExp(`<button type="button" class="message__delete" hidden data-author-id="${alice!.id}"`))
  })
})
