import { test } from '@japa/runner'
import { MediaUpload } from '../../resources/js/messages/media_upload.js'
import { FakeXhr } from '#tests/helpers/media_fakes'

function uploadWith() {
  const xhr = new FakeXhr()
  const upload = new MediaUpload(() => xhr)
  const form = new FormData()
  form.append('kind', 'voice')
  const progress: number[] = []
  upload.on('progress', ({ loaded, total }) => progress.push(loaded / total))
  const result = upload.send('/channels/3/media_messages', form, { 'X-XSRF-TOKEN': 'token', 'HX-Request': 'true' })
  return { xhr, upload, form, progress, result }
}

const FRAGMENT = '<article class="message message--voice" data-message-kind="voice" id="message-42">…</article>'

test.group('MediaUpload', () => {
  test('posts the form with the headers, reports progress, and returns the fragment with its id', async ({ assert }) => {
    const { xhr, form, progress, result } = uploadWith()
    assert.deepEqual(xhr.opened, ['POST', '/channels/3/media_messages'])
    assert.deepEqual(xhr.headers, { 'X-XSRF-TOKEN': 'token', 'HX-Request': 'true' })
    assert.strictEqual(xhr.body, form)
    xhr.upload.onprogress!({ loaded: 25, total: 100, lengthComputable: true })
    xhr.upload.onprogress!({ loaded: 0, total: 0, lengthComputable: false })
    xhr.upload.onprogress!({ loaded: 100, total: 100, lengthComputable: true })
    xhr.answer(201, FRAGMENT)
    assert.deepEqual(await result, { ok: true, id: 42, html: FRAGMENT })
    assert.deepEqual(progress, [0.25, 1])
  })

  test("a refusal shows the server's message: too large, too often, not audio", async ({ assert }) => {
    for (const [status, message] of [
      [413, 'Voice messages can be at most 10 MB.'],
      [429, 'You are sending recordings too quickly. Try again in 30 seconds.'],
      [422, 'This file is not audio or video.'],
    ] as const) {
      const { xhr, result } = uploadWith()
      xhr.answer(status, JSON.stringify({ errors: [{ code: 'x', message }] }))
      assert.deepEqual(await result, { ok: false, reason: 'refused', status, message })
    }
  })

  test('without a message of the server, ours (with Retry-After for 429)', async ({ assert }) => {
    const tooLarge = uploadWith()
    tooLarge.xhr.answer(413, '<html>Request Entity Too Large</html>')
    assert.equal((await tooLarge.result as { message: string }).message, 'This recording is too large to send.')
    const tooOften = uploadWith()
    tooOften.xhr.answer(429, '', { 'Retry-After': '12' })
    assert.match((await tooOften.result as { message: string }).message, /Try again in 12 seconds/)
    const broken = uploadWith()
    broken.xhr.answer(500, 'oops')
    assert.match((await broken.result as { message: string }).message, /could not be sent/)
    const noFragment = uploadWith()
    noFragment.xhr.answer(201, '')
    assert.isFalse((await noFragment.result).ok, 'a success without a message fragment is no success')
  })

  test('a network failure and an abort end it too; send is once per upload', async ({ assert }) => {
    const lost = uploadWith()
    lost.xhr.onerror!()
    assert.include(await lost.result, { ok: false, reason: 'network' })
    const cancelled = uploadWith()
    cancelled.upload.abort()
    assert.isTrue(cancelled.xhr.aborted)
    assert.deepEqual(await cancelled.result, { ok: false, reason: 'aborted', status: 0, message: '' })
    assert.throws(() => cancelled.upload.send('/x', new FormData(), {}), 'MediaUpload sends once')
  })
})
