import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, storedRecordings, uploadMedia, uploadTempFiles, withCleanMediaStorage } from '#tests/helpers/media'
import Message from '#models/message'
import MessageMedia from '#models/message_media'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const signedIn = (email: string) => new BrowserlessClient(baseUrl()).login(email, TEST_PASSWORD)

test.group('Media messages: posting', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('a voice message from Chromium is stored with the duration and waveform measured by the server', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const bytes = await readFile(fixturePath('chromium_voice.webm'))

    const response = await uploadMedia(browser, channel.id, 'voice', bytes)
    assert.equal(response.status, 201)
    const body = await response.json()
    assert.equal(body.kind, 'voice')
    assert.equal(body.mimeType, 'audio/webm')
    assert.closeTo(body.durationMs, 3000, 500)
    assert.equal(body.url, `/messages/${body.id}/media`)

    const message = await Message.findOrFail(body.id)
    assert.equal(message.kind, 'voice')
    const media = await MessageMedia.findByOrFail('messageId', message.id)
    assert.equal(media.byteSize, bytes.length)
    assert.lengthOf(media.peaks!, 64)
    assert.lengthOf(await storedRecordings(), 1)
    assert.lengthOf(await uploadTempFiles(), 0)
  })

  test('htmx gets the fragment: an audio element, the duration, the waveform and the delete button', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const response = await uploadMedia(browser, channel.id, 'voice', await readFile(fixturePath('firefox_voice.ogg')), {
      type: 'audio/ogg',
      accept: 'text/html',
      headers: { 'hx-request': 'true' },
    })
    assert.equal(response.status, 201)
    const html = await response.text()
    const id = Number(/id="message-(\d+)"/.exec(html)![1])
    assert.include(html, 'class="message message--voice"')
    assert.include(html, 'data-message-kind="voice"')
    assert.include(html, `<audio controls preload="metadata" src="/messages/${id}/media"`)
    assert.match(html, /<time class="message__duration" data-duration-ms="(29\d\d|30\d\d)"[^>]*>0:03<\/time>/)
    assert.match(html, /<svg class="message__waveform"[^>]*aria-hidden="true"/)
    assert.include(html, `hx-delete="/messages/${id}"`)
  })
})
