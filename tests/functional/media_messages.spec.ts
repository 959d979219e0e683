import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, storedRecordings, uploadMedia, uploadTempFiles, withCleanMediaStorage } from '#tests/helpers/media'
import Message from '#models/message'
import MessageMedia from '#models/message_media'
import mediaMessagesConfig from '#config/media_messages'
import { scrapeMetrics } from '#tests/helpers/metrics'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const signedIn = (email: string) => new BrowserlessClient(baseUrl()).login(email, TEST_PASSWORD)
const fixture = (name: string) => readFile(fixturePath(name))

/** Sets config values of the running server for one test (the server reads them per request). */
function withConfig(cleanup: (fn: () => void) => void, values: Partial<typeof mediaMessagesConfig>) {
  const saved = { ...mediaMessagesConfig }
  Object.assign(mediaMessagesConfig, values)
  cleanup(() => Object.assign(mediaMessagesConfig, saved))
}

/** Nothing was kept: no media message, no stored file, no temp file. */
async function assertNothingKept(assert: any) {
  assert.equal((await Message.query().whereNot('kind', 'text').count('* as total'))[0]!.$extras.total, 0)
  assert.lengthOf(await MessageMedia.all(), 0)
  assert.deepEqual(await storedRecordings(), [])
  assert.deepEqual(await uploadTempFiles(), [])
}

test.group('Media messages: posting', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('a voice message from Chromium is stored with the duration and waveform measured by the server', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const bytes = await fixture('chromium_voice.webm')

    const response = await uploadMedia(browser, channel.id, 'voice', bytes)
    assert.equal(response.status, 201)
    const body = await response.json()
    assert.equal(body.kind, 'voice')
    assert.equal(body.mimeType, 'audio/webm')
    assert.closeTo(body.durationMs, 3000, 500)
    assert.equal(body.url, `/messages/${body.id}/media`)

    const message = await Message.findOrFail(body.id)
    assert.equal(message.kind, 'voice')
    assert.equal(message.userId, alice!.id)
    const media = await MessageMedia.findByOrFail('messageId', message.id)
    assert.equal(media.byteSize, bytes.length)
    assert.equal(media.durationMs, body.durationMs)
    assert.lengthOf(media.peaks!, 64)
    assert.lengthOf(await storedRecordings(), 1)
    assert.deepEqual(await uploadTempFiles(), [])
  })

  test('the type the client claims is not believed: a WebM sent as audio/ogg is stored as audio/webm', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const response = await uploadMedia(await signedIn(alice!.email), channel.id, 'voice', await fixture('firefox_voice.webm'), { type: 'audio/ogg' })
    assert.equal(response.status, 201)
    assert.equal((await response.json()).mimeType, 'audio/webm')
  })

  test('the file may come before the kind field (FormData keeps the order it was built in)', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const form = new FormData()
    form.append('media', new Blob([await fixture('chromium_video.webm')], { type: 'video/webm' }), 'video.webm')
    form.append('kind', 'video')
    const response = await (await signedIn(alice!.email)).fetch(`/channels/${channel.id}/media_messages`, {
      method: 'POST',
      body: form,
      headers: { accept: 'application/json' },
    })
    assert.equal(response.status, 201)
    assert.equal((await response.json()).kind, 'video')
  })

  test('a video message from Firefox: video/webm, no waveform', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const response = await uploadMedia(await signedIn(alice!.email), channel.id, 'video', await fixture('firefox_video.webm'), { type: 'video/webm' })
    assert.equal(response.status, 201)
    const body = await response.json()
    assert.equal(body.kind, 'video')
    assert.equal(body.mimeType, 'video/webm')
    assert.closeTo(body.durationMs, 2000, 500)
    assert.isNull((await MessageMedia.findByOrFail('messageId', body.id)).peaks)
  })

  test('htmx (X-CSRF-TOKEN from the page) gets the fragment: audio element, duration, waveform, delete button', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const page = await (await browser.fetch(`/channels/${channel.id}`)).text()
    const csrf = /"X-CSRF-TOKEN": "([^"]+)"/.exec(page)![1]!
    const form = new FormData()
    form.append('kind', 'voice')
    form.append('media', new Blob([await fixture('firefox_voice.ogg')], { type: 'audio/ogg' }), 'voice.ogg')
    // Only the page's token, as htmx sends it: no XSRF cookie echo.
    const response = await fetch(`${baseUrl()}/channels/${channel.id}/media_messages`, {
      method: 'POST',
      body: form,
      headers: { 'cookie': browser.cookieHeader, 'x-csrf-token': csrf, 'hx-request': 'true', 'accept': 'text/html' },
    })
    assert.equal(response.status, 201)
    const html = await response.text()
    const id = Number(/id="message-(\d+)"/.exec(html)![1])
    assert.include(html, 'class="message message--voice"')
    assert.include(html, 'data-message-kind="voice"')
    assert.include(html, `<audio controls preload="metadata" src="/messages/${id}/media"`)
    assert.match(html, /<time class="message__duration" data-duration-ms="(29\d\d|30\d\d)"[^>]*>0:03<\/time>/)
    assert.match(html, /<svg class="message__waveform"[^>]*aria-hidden="true"/)
    assert.match(html, new RegExp(`<button type="button" class="message__delete" data-author-id="${alice!.id}" hx-delete="/messages/${id}" hx-swap="none" aria-label="Delete message"`))
  })

  test('without a CSRF token the upload is refused and nothing is kept', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const form = new FormData()
    form.append('kind', 'voice')
    form.append('media', new Blob([await fixture('chromium_voice.webm')]), 'voice.webm')
    const response = await fetch(`${baseUrl()}/channels/${channel.id}/media_messages`, {
      method: 'POST',
      body: form,
      headers: { cookie: browser.cookieHeader, accept: 'application/json' },
    })
    assert.equal(response.status, 403)
    await assertNothingKept(assert)
  })

  test('a non-member gets 404 and nothing is kept; signed out, the upload goes nowhere', async ({ assert }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!], 'private')
    const response = await uploadMedia(await signedIn(mallory!.email), channel.id, 'voice', await fixture('chromium_voice.webm'))
    assert.equal(response.status, 404)
    await assertNothingKept(assert)

    const anonymous = new BrowserlessClient(baseUrl())
    await anonymous.fetch('/health')
    const refused = await uploadMedia(anonymous, channel.id, 'voice', await fixture('chromium_voice.webm'))
    assert.oneOf(refused.status, [302, 401])
    await assertNothingKept(assert)
  })

  test('wrong bytes, a video as voice, no file, no kind: 422 with the reason, nothing kept', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const png = await readFile(new URL('../../docs/channel-page.png', import.meta.url))
    const cases: Array<[string, Uint8Array, string]> = [
      ['voice', png, 'E_MEDIA_TYPE'],
      ['voice', await fixture('chromium_video.webm'), 'E_MEDIA_NOT_VOICE'],
      ['video', await fixture('chromium_voice.webm'), 'E_MEDIA_NOT_VIDEO'],
      ['voice', new Uint8Array(), 'E_MEDIA_EMPTY'],
      ['sticker', await fixture('chromium_voice.webm'), 'E_MEDIA_KIND'],
    ]
    for (const [kind, bytes, code] of cases) {
      const response = await uploadMedia(browser, channel.id, kind, bytes)
      assert.equal(response.status, 422, code)
      const { errors } = await response.json()
      assert.equal(errors[0].code, code)
      assert.match(errors[0].message, /^[A-Z].+\.$/, 'a sentence the composer shows')
    }
    const noFile = new FormData()
    noFile.append('kind', 'voice')
    const missing = await browser.fetch(`/channels/${channel.id}/media_messages`, { method: 'POST', body: noFile, headers: { accept: 'application/json' } })
    assert.equal(missing.status, 422)
    assert.equal((await missing.json()).errors[0].code, 'E_MEDIA_MISSING')
    for (const [type, body] of [['application/json', '{"kind":"voice"}'], ['application/x-www-form-urlencoded', 'kind=voice']]) {
      const notMultipart = await browser.fetch(`/channels/${channel.id}/media_messages`, { method: 'POST', body, headers: { 'content-type': type, 'accept': 'application/json' } })
      assert.equal(notMultipart.status, 422, type)
      assert.equal((await notMultipart.json()).errors[0].code, 'E_MEDIA_MISSING', type)
    }
    await assertNothingKept(assert)
  })

  test('longer than the maximum plus one second is refused with 422; within it is taken', async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    // chromium_voice.webm lasts 3.0 s: over 1 s + 1 s of stop lag.
    withConfig(cleanup, { voiceMaxSeconds: 1 })
    const refused = await uploadMedia(browser, channel.id, 'voice', await fixture('chromium_voice.webm'))
    assert.equal(refused.status, 422)
    const { errors } = await refused.json()
    assert.equal(errors[0].code, 'E_MEDIA_TOO_LONG')
    assert.equal(errors[0].message, 'A voice message can be at most 1 s long.')
    await assertNothingKept(assert)

    Object.assign(mediaMessagesConfig, { voiceMaxSeconds: 2 })
    assert.equal((await uploadMedia(browser, channel.id, 'voice', await fixture('chromium_voice.webm'))).status, 201)
  })

  test('larger than the kind allows: 413 with the reason, nothing kept', async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const bytes = await fixture('chromium_voice.webm')
    withConfig(cleanup, { voiceMaxBytes: bytes.length - 1 })
    const response = await uploadMedia(browser, channel.id, 'voice', bytes)
    assert.equal(response.status, 413)
    const { errors } = await response.json()
    assert.equal(errors[0].code, 'E_MEDIA_TOO_LARGE')
    assert.equal(errors[0].message, `A voice message can be at most ${Math.round((bytes.length - 1) / 1024)} KB. Record a shorter one.`)
    await assertNothingKept(assert)
  })

  test('past MEDIA_MESSAGES_PER_MINUTE a person gets 429 with Retry-After; others are not slowed', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const aliceBrowser = await signedIn(alice!.email)
    const bytes = await fixture('chromium_voice.webm')
    withConfig(cleanup, { perMinute: 2 })
    assert.equal((await uploadMedia(aliceBrowser, channel.id, 'voice', bytes)).status, 201)
    assert.equal((await uploadMedia(aliceBrowser, channel.id, 'voice', bytes)).status, 201)
    const limited = await uploadMedia(aliceBrowser, channel.id, 'voice', bytes)
    assert.equal(limited.status, 429)
    assert.isAbove(Number(limited.headers.get('retry-after')), 0)
    const { errors } = await limited.json()
    assert.match(errors[0].message, /^You are sending voice and video messages too quickly\. Try again in \d+ seconds\.$/)
    assert.lengthOf(await MessageMedia.all(), 2)

    assert.equal((await uploadMedia(await signedIn(bob!.email), channel.id, 'voice', bytes)).status, 201)
  })

  test('/metrics counts posted messages by kind, refusals by reason, and the time to judge a recording', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await signedIn(alice!.email)
    const before = await scrapeMetrics()
    assert.equal((await uploadMedia(browser, channel.id, 'voice', await fixture('chromium_voice.webm'))).status, 201)
    assert.equal((await uploadMedia(browser, channel.id, 'voice', await fixture('chromium_video.webm'))).status, 422)
    const after = await scrapeMetrics()
    assert.equal(after.delta(before, 'confab_media_messages_total', { kind: 'voice' }), 1)
    assert.equal(after.delta(before, 'confab_media_messages_total', { kind: 'video' }), 0)
    assert.equal(after.delta(before, 'confab_media_uploads_refused_total', { code: 'E_MEDIA_NOT_VOICE' }), 1)
    assert.equal(after.count('confab_media_probe_seconds', { kind: 'voice' }) - before.count('confab_media_probe_seconds', { kind: 'voice' }), 1)
    assert.isAbove(after.sum('confab_media_probe_seconds', { kind: 'voice' }), before.sum('confab_media_probe_seconds', { kind: 'voice' }))
  })
})
