import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, uploadMedia, withCleanMediaStorage } from '#tests/helpers/media'
import Membership from '#models/membership'
import Message from '#models/message'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const signedIn = (email: string) => new BrowserlessClient(baseUrl()).login(email, TEST_PASSWORD)

/** Alice posts Chromium's voice recording in a private channel with Bob; Mallory is not in it. */
async function postedVoice() {
  const [alice, bob, mallory] = await people(3)
  const channel = await channelWith([alice!, bob!], 'private')
  const bytes = await readFile(fixturePath('chromium_voice.webm'))
  const posted = await uploadMedia(await signedIn(alice!.email), channel.id, 'voice', bytes)
  const { id } = await posted.json()
  return { alice: alice!, bob: bob!, mallory: mallory!, channel, bytes, id: id as number }
}

test.group('Media messages: the file', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('a member gets the whole file with its sniffed type, private caching, nosniff and byte ranges offered', async ({ assert }) => {
    const { bob, bytes, id } = await postedVoice()
    const response = await (await signedIn(bob.email)).fetch(`/messages/${id}/media`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'audio/webm')
    assert.equal(response.headers.get('accept-ranges'), 'bytes')
    assert.equal(response.headers.get('cache-control'), 'private')
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(Number(response.headers.get('content-length')), bytes.length)
    assert.isTrue(Buffer.from(await response.arrayBuffer()).equals(bytes))
  })

  test('a Range request gets 206 with exactly those bytes (seeking); a suffix range the end', async ({ assert }) => {
    const { bob, bytes, id } = await postedVoice()
    const browser = await signedIn(bob.email)
    const middle = await browser.fetch(`/messages/${id}/media`, { headers: { range: 'bytes=100-1099' } })
    assert.equal(middle.status, 206)
    assert.equal(middle.headers.get('content-range'), `bytes 100-1099/${bytes.length}`)
    assert.equal(Number(middle.headers.get('content-length')), 1000)
    assert.isTrue(Buffer.from(await middle.arrayBuffer()).equals(bytes.subarray(100, 1100)))

    const open = await browser.fetch(`/messages/${id}/media`, { headers: { range: `bytes=${bytes.length - 10}-` } })
    assert.equal(open.status, 206)
    assert.isTrue(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 10)))
    const suffix = await browser.fetch(`/messages/${id}/media`, { headers: { range: 'bytes=-500' } })
    assert.equal(suffix.status, 206)
    assert.equal(suffix.headers.get('content-range'), `bytes ${bytes.length - 500}-${bytes.length - 1}/${bytes.length}`)
  })

  test('a range outside the file, or several, gets 416 with the size', async ({ assert }) => {
    const { bob, bytes, id } = await postedVoice()
    const browser = await signedIn(bob.email)
    for (const range of [`bytes=${bytes.length}-`, 'bytes=500-100', 'bytes=0-1,5-9']) {
      const response = await browser.fetch(`/messages/${id}/media`, { headers: { range } })
      assert.equal(response.status, 416, range)
      assert.equal(response.headers.get('content-range'), `bytes */${bytes.length}`)
    }
  })

  test('a non-member gets 404 for the file, one who left too; a text message has no file', async ({ assert }) => {
    const { bob, mallory, channel, id } = await postedVoice()
    const mallorys = await signedIn(mallory.email)
    assert.equal((await mallorys.fetch(`/messages/${id}/media`)).status, 404)
    assert.equal((await mallorys.fetch(`/messages/${id}/media`, { headers: { range: 'bytes=0-10' } })).status, 404)

    const bobs = await signedIn(bob.email)
    await Membership.query().where({ channelId: channel.id, userId: bob.id }).delete()
    assert.equal((await bobs.fetch(`/messages/${id}/media`)).status, 404)

    const anonymous = new BrowserlessClient(baseUrl())
    assert.oneOf((await anonymous.fetch(`/messages/${id}/media`)).status, [302, 401])
    assert.equal((await bobs.fetch(`/messages/${id + 1000}/media`)).status, 404)

    const text = await Message.create({ channelId: channel.id, userId: mallory.id, body: 'words only' })
    await Membership.create({ channelId: channel.id, userId: mallory.id })
    assert.equal((await mallorys.fetch(`/messages/${text.id}/media`)).status, 404)
    assert.equal((await mallorys.fetch(`/messages/${id}/media`)).status, 200, 'a member now')
  })

  test('the channel page shows a media message with its player, from the stored message', async ({ assert }) => {
    const { alice, bob, channel, id } = await postedVoice()
    const bobsPage = await (await (await signedIn(bob.email)).fetch(`/channels/${channel.id}`)).text()
    assert.include(bobsPage, `<audio controls preload="metadata" src="/messages/${id}/media"`)
    assert.match(bobsPage, /<svg class="message__waveform"/)
    // Bob is not the author: no delete button on his page.
    assert.notInclude(bobsPage, `hx-delete="/messages/${id}"`)
    const alicesPage = await (await (await signedIn(alice.email)).fetch(`/channels/${channel.id}`)).text()
    assert.include(alicesPage, `hx-delete="/messages/${id}"`)
  })
})
