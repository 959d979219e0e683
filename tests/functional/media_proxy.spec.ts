import { readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, uploadMedia, withCleanMediaStorage } from '#tests/helpers/media'
import { Nginx } from '#tests/helpers/nginx'
import { printedSkip } from '#tests/helpers/services'

/** In this helper's fixed-port range (tests/helpers: 3530-3539 is media's). */
const PROXY_PORT = 3533

/**
 * deploy/nginx/confab.conf in front of the test server: its upload location lets recordings
 * past the 1 MB of the other routes reach Confab, which judges them itself.
 */
test.group('Media messages behind nginx (deploy/nginx/confab.conf)', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('uploads larger than 1 MB reach Confab on the upload route only; the file streams back with Range', async ({ assert, cleanup }) => {
    const proxy = await new Nginx(app.tmpPath('nginx-media'), PROXY_PORT, [`${process.env.HOST}:${process.env.PORT}`]).start()
    cleanup(() => proxy.stop())
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await new BrowserlessClient(proxy.url).login(alice!.email, TEST_PASSWORD)

    // 3 MB of noise: past nginx's 1 MB default, under the voice cap. Confab reads it and says why not.
    const noise = await uploadMedia(browser, channel.id, 'voice', randomBytes(3 * 1024 * 1024))
    assert.equal(noise.status, 422)
    assert.equal((await noise.json()).errors[0].code, 'E_MEDIA_TYPE')
    // The same size on another route stops at nginx.
    const text = await browser.fetch(`/channels/${channel.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
      body: new URLSearchParams({ body: 'x'.repeat(3 * 1024 * 1024) }),
    })
    assert.equal(text.status, 413)

    const bytes = await readFile(fixturePath('chromium_voice.webm'))
    const posted = await uploadMedia(browser, channel.id, 'voice', bytes)
    assert.equal(posted.status, 201)
    const { id } = await posted.json()
    const part = await browser.fetch(`/messages/${id}/media`, { headers: { range: 'bytes=10-19' } })
    assert.equal(part.status, 206)
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${bytes.length}`)
    assert.isTrue(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20)))
  }).skip(...printedSkip(!Nginx.available(), 'nginx is not installed (apt-get install -y nginx)'))
})
