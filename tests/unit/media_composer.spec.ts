import { test } from '@japa/runner'
import { MediaComposer, STOP_MARGIN_MS, type ComposerState } from '../../resources/js/messages/media_composer.js'
import { RecordingUnavailable, type MediaRecording, type RecordingKind } from '../../resources/js/messages/media_recording.js'
import { RecordingTimer } from '../../resources/js/messages/recording_timer.js'
import { MediaUpload } from '../../resources/js/messages/media_upload.js'
import { FakeXhr, ManualClock } from '#tests/helpers/media_fakes'
import { flush } from '#tests/helpers/fake_webrtc'

/** A recording that hands back `bytes` as a Blob of its type when stopped. */
class FakeRecording {
  stopped = false
  cancelled = false
  stream = { id: 'camera' } as unknown as MediaStream
  started = Promise.resolve()
  constructor(readonly kind: RecordingKind, readonly type: string, private bytes = 'opus bytes') {}
  async stop() {
    this.stopped = true
    return new Blob(this.stopped && !this.cancelled ? [this.bytes] : [], { type: this.type })
  }
  cancel() {
    this.cancelled = true
  }
}

function composerWith(options: { refuse?: string; bytes?: string } = {}) {
  const clock = new ManualClock()
  const recordings: FakeRecording[] = []
  const xhrs: FakeXhr[] = []
  const meters: Array<{ onLevel: (level: number) => void; stopped: boolean }> = []
  const composer = new MediaComposer({
    uploadUrl: '/channels/7/media_messages',
    limits: { voiceMaxSeconds: 5, videoMaxSeconds: 2 },
    headers: () => ({ 'X-XSRF-TOKEN': 'token' }),
    record: async (kind) => {
      if (options.refuse) throw new RecordingUnavailable(options.refuse)
      const recording = new FakeRecording(kind, kind === 'voice' ? 'audio/ogg;codecs=opus' : 'video/webm', options.bytes)
      recordings.push(recording)
      return recording as unknown as MediaRecording
    },
    timer: (maxMs) => new RecordingTimer(maxMs, clock),
    meter: (_stream, onLevel) => {
      const meter = { onLevel, stopped: false, stop: () => (meter.stopped = true) }
      meters.push(meter)
      return meter
    },
    upload: () =>
      new MediaUpload(() => {
        const xhr = new FakeXhr()
        xhrs.push(xhr)
        return xhr
      }),
  })
  const phases: string[] = []
  composer.on('change', (state) => {
    if (phases.at(-1) !== state.phase) phases.push(state.phase)
  })
  const sent: Array<{ id: number; html: string }> = []
  composer.on('sent', (message) => sent.push(message))
  return { composer, clock, recordings, xhrs, meters, phases, sent }
}

const FRAGMENT = '<article class="message message--voice" id="message-9"></article>'

test.group('MediaComposer', () => {
  test('record, stop, play back, send: the form carries the kind and the typed file', async ({ assert }) => {
    const { composer, clock, recordings, xhrs, meters, phases, sent } = composerWith()
    await composer.start('voice')
    assert.equal(composer.state.phase, 'recording')
    assert.equal(composer.state.maxMs, 5000)
    assert.isNull(composer.state.stream, 'no camera preview for a voice message')
    clock.advance(1400)
    meters[0]!.onLevel(0.6)
    assert.equal(composer.state.elapsedMs, 1400)
    assert.equal(composer.state.level, 0.6)
    await composer.stop()
    assert.equal(composer.state.phase, 'recorded')
    assert.isTrue(meters[0]!.stopped)
    assert.equal(await composer.state.recording!.text(), 'opus bytes')

    const sending = composer.send()
    assert.equal(composer.state.phase, 'uploading')
    const form = xhrs[0]!.body as FormData
    assert.equal(form.get('kind'), 'voice')
    const file = form.get('media') as File
    assert.equal(file.name, 'voice.ogg')
    assert.equal(file.type, 'audio/ogg;codecs=opus')
    assert.deepEqual(xhrs[0]!.headers, { 'X-XSRF-TOKEN': 'token' })
    xhrs[0]!.upload.onprogress!({ loaded: 1, total: 2, lengthComputable: true })
    assert.equal(composer.state.progress, 0.5)
    xhrs[0]!.answer(201, FRAGMENT)
    await sending
    assert.deepEqual(sent, [{ id: 9, html: FRAGMENT }])
    assert.equal(composer.state.phase, 'idle')
    assert.isNull(composer.state.recording)
    assert.deepEqual(phases, ['starting', 'recording', 'stopping', 'recorded', 'uploading', 'idle'])
    assert.isTrue(recordings[0]!.stopped)
  })

  test('a video message shows the camera while recording and stops by itself at its maximum', async ({ assert }) => {
    const { composer, clock } = composerWith()
    await composer.start('video')
    assert.equal(composer.state.maxMs, 2000)
    assert.equal((composer.state.stream as unknown as { id: string }).id, 'camera')
    clock.advance(2000 - STOP_MARGIN_MS)
    await flush()
    assert.equal(composer.state.phase, 'recorded')
    assert.isNull(composer.state.stream)
    assert.equal(composer.state.elapsedMs, 2000 - STOP_MARGIN_MS)
  })

  test('a refused upload keeps the recording and shows why; Send again can succeed', async ({ assert }) => {
    const { composer, xhrs, sent } = composerWith()
    await composer.start('voice')
    await composer.stop()
    const first = composer.send()
    xhrs[0]!.answer(413, JSON.stringify({ errors: [{ message: 'Voice messages can be at most 1 MB.' }] }))
    await first
    assert.equal(composer.state.phase, 'recorded')
    assert.equal(composer.state.error, 'Voice messages can be at most 1 MB.')
    assert.isNotNull(composer.state.recording)
    const second = composer.send()
    assert.equal(composer.state.error, '')
    xhrs[1]!.answer(201, FRAGMENT)
    await second
    assert.lengthOf(sent, 1)
  })

  test('cancelling an upload sends nothing and keeps the recording; Escape while uploading drops it all', async ({ assert }) => {
    const { composer, xhrs, sent } = composerWith()
    await composer.start('voice')
    await composer.stop()
    const first = composer.send()
    composer.abortUpload()
    await first
    assert.isTrue(xhrs[0]!.aborted)
    assert.equal(composer.state.phase, 'recorded')
    assert.equal(composer.state.error, '')
    const second = composer.send()
    composer.cancel()
    await second
    assert.isTrue(xhrs[1]!.aborted)
    assert.equal(composer.state.phase, 'idle')
    assert.isNull(composer.state.recording)
    assert.lengthOf(sent, 0)
  })

  test('Escape while recording throws the recording away and frees the devices', async ({ assert }) => {
    const { composer, recordings, meters } = composerWith()
    await composer.start('video')
    composer.cancel()
    assert.equal(composer.state.phase, 'idle')
    assert.isTrue(recordings[0]!.cancelled)
    assert.isTrue(meters[0]!.stopped)
    // Stop after Escape does nothing: nothing to play back.
    await composer.stop()
    assert.equal(composer.state.phase, 'idle')
  })

  test('Escape while the devices open: they are released as soon as they come', async ({ assert }) => {
    const { composer, recordings } = composerWith()
    const starting = composer.start('voice')
    composer.cancel()
    await starting
    assert.equal(composer.state.phase, 'idle')
    assert.isTrue(recordings[0]!.cancelled)
  })

  test('a device refusal and an empty recording are said in the composer', async ({ assert }) => {
    const refused = composerWith({ refuse: 'Confab may not use your microphone.' })
    await refused.composer.start('voice')
    assert.deepEqual(pick(refused.composer.state), { phase: 'idle', error: 'Confab may not use your microphone.' })
    const empty = composerWith({ bytes: '' })
    await empty.composer.start('voice')
    await empty.composer.stop()
    assert.deepEqual(pick(empty.composer.state), { phase: 'idle', error: 'Nothing was recorded. Please try again.' })
  })

  test('discard after recording leaves nothing; nothing was uploaded', async ({ assert }) => {
    const { composer, xhrs } = composerWith()
    await composer.start('voice')
    await composer.stop()
    composer.discard()
    assert.equal(composer.state.phase, 'idle')
    assert.isNull(composer.state.recording)
    assert.lengthOf(xhrs, 0)
  })
})

function pick(state: ComposerState) {
  return { phase: state.phase, error: state.error }
}

test.group('MediaComposer limits', () => {
  test('a recording over the byte limit is not uploaded; the server would refuse it with the same words', async ({ assert }) => {
    const clock = new ManualClock()
    const xhrs: FakeXhr[] = []
    const composer = new MediaComposer({
      uploadUrl: '/channels/7/media_messages',
      limits: { voiceMaxSeconds: 5, videoMaxSeconds: 2, voiceMaxBytes: 4, videoMaxBytes: 100 },
      headers: () => ({}),
      record: async (kind) => new FakeRecording(kind, 'audio/webm', 'five!') as unknown as MediaRecording,
      timer: (maxMs) => new RecordingTimer(maxMs, clock),
      meter: () => ({ stop() {} }),
      upload: () => new MediaUpload(() => (xhrs.push(new FakeXhr()), xhrs.at(-1)!)),
    })
    await composer.start('voice')
    await composer.stop()
    await composer.send()
    assert.lengthOf(xhrs, 0)
    assert.equal(composer.state.phase, 'recorded')
    assert.equal(composer.state.error, 'A voice message can be at most 0 KB. Record a shorter one.')
  })
})

test.group('MediaComposer start', () => {
  test('the timer runs only once the recorder has really started', async ({ assert }) => {
    const clock = new ManualClock()
    let begin = () => {}
    const recording = Object.assign(new FakeRecording('voice', 'audio/ogg'), { started: new Promise<void>((resolve) => (begin = resolve)) })
    const composer = new MediaComposer({
      uploadUrl: '/x',
      limits: { voiceMaxSeconds: 5, videoMaxSeconds: 2 },
      headers: () => ({}),
      record: async () => recording as unknown as MediaRecording,
      timer: (maxMs) => new RecordingTimer(maxMs, clock),
      meter: () => ({ stop() {} }),
    })
    const starting = composer.start('voice')
    await flush()
    clock.advance(800)
    assert.equal(composer.state.phase, 'starting')
    begin()
    await starting
    clock.advance(1000)
    assert.equal(composer.state.phase, 'recording')
    assert.equal(composer.state.elapsedMs, 1000, 'the 800 ms before the recorder started are not counted')
  })
})
