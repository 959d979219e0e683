import { connect, type Socket } from 'node:net'
import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { fixturePath, storedRecordings, uploadTempFiles, withCleanMediaStorage } from '#tests/helpers/media'
import { until } from '#tests/helpers/waiting'
import MessageMedia from '#models/message_media'
import Message from '#models/message'
import mediaMessagesConfig from '#config/media_messages'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const BOUNDARY = 'confab-test-boundary'

/** The multipart body the composer sends, cut in two: everything before the file's bytes, and the closing. */
function multipartAround(kind: string, type: string) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n${kind}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="media"; filename="recording.webm"\r\nContent-Type: ${type}\r\n\r\n`
  )
  return { head, tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`) }
}

/** A raw HTTP/1.1 upload on a socket we control: the test decides when bytes go, or stop. */
async function openUpload(browser: BrowserlessClient, channelId: number, headers: Record<string, string>) {
  const socket: Socket = connect(Number(process.env.PORT), process.env.HOST!)
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let answer = ''
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')))
  socket.on('error', () => {})
  const lines = [
    `POST /channels/${channelId}/media_messages HTTP/1.1`,
    `Host: ${process.env.HOST}:${process.env.PORT}`,
    `Cookie: ${browser.cookieHeader}`,
    `X-XSRF-TOKEN: ${browser.xsrfToken}`,
    `Accept: application/json`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.write(lines.join('\r\n') + '\r\n\r\n')
  return { socket, answer: () => answer }
}

test.group('Media messages: uploads that do not finish', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)

  test('a client that goes away mid-upload leaves no row, no stored file and no temp file', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const bytes = await readFile(fixturePath('chromium_video.webm'))
    const { head, tail } = multipartAround('video', 'video/webm')
    const upload = await openUpload(browser, channel.id, { 'Content-Length': String(head.length + bytes.length + tail.length) })

    upload.socket.write(head)
    upload.socket.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
    // The server is streaming it to its temp file: the upload is really under way.
    await until(uploadTempFiles, (files) => files.length === 1, 5000, 'the upload temp file')
    upload.socket.destroy()

    await until(uploadTempFiles, (files) => files.length === 0, 5000, 'the temp file to be removed')
    assert.lengthOf(await MessageMedia.all(), 0)
    assert.lengthOf(await Message.all(), 0)
    assert.deepEqual(await storedRecordings(), [])
  })

  test('an upload past the cap is refused with 413 while it is still streaming (chunked, no Content-Length)', async ({ assert, cleanup }) => {
    const saved = mediaMessagesConfig.voiceMaxBytes
    mediaMessagesConfig.voiceMaxBytes = 100_000
    cleanup(() => {
      mediaMessagesConfig.voiceMaxBytes = saved
    })
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const { head } = multipartAround('voice', 'audio/webm')
    const upload = await openUpload(browser, channel.id, { 'Transfer-Encoding': 'chunked' })
    const chunk = (data: Buffer) => upload.socket.write(`${data.length.toString(16)}\r\n${data.toString('latin1')}\r\n`, 'latin1')

    chunk(head)
    // 150 kB of a recording that never ends: the body is not finished when the server answers.
    const block = (await readFile(fixturePath('chromium_voice.webm'))).subarray(0, 30_000)
    for (let sent = 0; sent < 5; sent++) chunk(block)
    await until(async () => upload.answer(), (answer) => answer.includes('\r\n\r\n'), 5000, 'an answer before the body ends')
    assert.match(upload.answer(), /^HTTP\/1\.1 413 /)
    assert.include(upload.answer(), 'E_MEDIA_TOO_LARGE')
    assert.match(upload.answer(), /connection: close/i)
    upload.socket.destroy()

    await until(uploadTempFiles, (files) => files.length === 0, 5000, 'the temp file to be removed')
    assert.lengthOf(await MessageMedia.all(), 0)
    assert.deepEqual(await storedRecordings(), [])
  })

  test('a declared Content-Length past the largest cap is refused before a byte of the body is read', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const upload = await openUpload(browser, channel.id, { 'Content-Length': String(mediaMessagesConfig.videoMaxBytes * 2) })
    await until(async () => upload.answer(), (answer) => answer.includes('\r\n\r\n'), 5000, 'an answer')
    assert.match(upload.answer(), /^HTTP\/1\.1 413 /)
    upload.socket.destroy()
    assert.deepEqual(await uploadTempFiles(), [])
  })
})
