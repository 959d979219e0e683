import { test } from '@japa/runner'
import {
  MediaRecording,
  RecordingUnavailable,
  chooseRecordingType,
  extensionFor,
  type RecorderLike,
  type RecordingDevices,
} from '../../resources/js/messages/media_recording.js'
import { LevelMeter, levelOf } from '../../resources/js/messages/level_meter.js'
import { notePlay, recoverPlayer } from '../../resources/js/messages/player_recovery.js'

/** A MediaStream stand-in whose tracks remember being stopped. */
function fakeStream() {
  const tracks = [{ kind: 'audio', stopped: false, stop() { this.stopped = true } }]
  return { tracks, getTracks: () => tracks } as unknown as MediaStream & { tracks: typeof tracks }
}

/** A MediaRecorder stand-in: hands over what the test pushes, and leaves mimeType empty as Firefox does. */
class FakeRecorder implements RecorderLike {
  state = 'inactive'
  mimeType = ''
  timeslice: number | undefined
  ondataavailable: ((event: { data: Blob }) => void) | null = null
  onstart: (() => void) | null = null
  onstop: (() => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  start(timeslice?: number) {
    this.state = 'recording'
    this.timeslice = timeslice
    // As browsers do: the start event comes a moment later.
    queueMicrotask(() => this.onstart?.())
  }
  stop() {
    this.state = 'inactive'
    this.ondataavailable?.({ data: new Blob(['last']) })
    this.onstop?.()
  }
  chunk(text: string) {
    this.ondataavailable?.({ data: new Blob([text]) })
  }
}

/** Firefox's answers by default: ogg for voice, webm (no codecs) for video. */
function fakeDevices(supported = ['audio/ogg;codecs=opus', 'video/webm'], refuse?: string) {
  const calls = { constraints: [] as MediaStreamConstraints[], options: [] as Array<{ mimeType: string }> }
  const recorders: FakeRecorder[] = []
  const stream = fakeStream()
  const devices: RecordingDevices = {
    isTypeSupported: (type) => supported.includes(type),
    getUserMedia: async (constraints) => {
      calls.constraints.push(constraints)
      if (refuse) throw Object.assign(new Error('no'), { name: refuse })
      return stream
    },
    createRecorder: (_stream, options) => {
      calls.options.push(options)
      const recorder = new FakeRecorder()
      recorders.push(recorder)
      return recorder
    },
  }
  return { devices, calls, recorders, stream }
}

test.group('Recording types', () => {
  test('each browser gets its first supported type: Chromium webm, Firefox ogg for voice', ({ assert }) => {
    const chromium = ['audio/webm;codecs=opus', 'video/webm;codecs=vp8,opus', 'audio/webm', 'video/webm']
    assert.equal(chooseRecordingType('voice', (type) => chromium.includes(type)), 'audio/webm;codecs=opus')
    assert.equal(chooseRecordingType('video', (type) => chromium.includes(type)), 'video/webm;codecs=vp8,opus')
    const firefox = ['audio/ogg;codecs=opus', 'audio/ogg', 'video/webm', 'audio/webm']
    assert.equal(chooseRecordingType('voice', (type) => firefox.includes(type)), 'audio/ogg;codecs=opus')
    assert.equal(chooseRecordingType('video', (type) => firefox.includes(type)), 'video/webm')
    assert.isNull(chooseRecordingType('video', () => false))
    // Safari records only mp4, which the server refuses: no recorder rather than a 422 after recording.
    assert.isNull(chooseRecordingType('voice', (type) => type.startsWith('audio/mp4')))
  })

  test('the file extension follows the type', ({ assert }) => {
    assert.equal(extensionFor('audio/ogg;codecs=opus'), 'ogg')
    assert.equal(extensionFor('video/webm;codecs=vp8,opus'), 'webm')
    assert.equal(extensionFor('audio/mp4'), 'mp4')
  })
})

test.group('MediaRecording', () => {
  test('records with the chosen type and keeps it on the Blob though the recorder forgets it', async ({ assert }) => {
    const { devices, calls, recorders, stream } = fakeDevices()
    const recording = await MediaRecording.start('voice', devices)
    await recording.started
    assert.deepEqual(calls.constraints, [{ audio: true, video: false }])
    assert.deepEqual(calls.options, [{ mimeType: 'audio/ogg;codecs=opus' }])
    assert.equal(recorders[0]!.state, 'recording')
    assert.equal(recorders[0]!.timeslice, 1000)
    recorders[0]!.chunk('first ')
    const blob = await recording.stop()
    assert.equal(blob.type, 'audio/ogg;codecs=opus')
    assert.equal(await blob.text(), 'first last')
    assert.isTrue(stream.tracks.every((track) => track.stopped))
    // A second stop gives the same recording and stops nothing again.
    assert.strictEqual(await recording.stop(), blob)
  })

  test('a video recording asks for the camera too', async ({ assert }) => {
    const { devices, calls } = fakeDevices()
    const recording = await MediaRecording.start('video', devices)
    assert.isTrue(calls.constraints[0]!.audio as boolean)
    assert.isObject(calls.constraints[0]!.video)
    assert.equal(recording.type, 'video/webm')
  })

  test('cancel releases the devices and keeps nothing', async ({ assert }) => {
    const { devices, recorders, stream } = fakeDevices()
    const recording = await MediaRecording.start('voice', devices)
    recording.cancel()
    recording.cancel()
    assert.equal(recorders[0]!.state, 'inactive')
    assert.isTrue(stream.tracks[0]!.stopped)
  })

  test('refusals come back in words', async ({ assert }) => {
    const denied = fakeDevices(undefined, 'NotAllowedError')
    await assert.rejects(() => MediaRecording.start('voice', denied.devices), /may not use your microphone/)
    const missing = fakeDevices(undefined, 'NotFoundError')
    await assert.rejects(() => MediaRecording.start('video', missing.devices), /No camera and microphone found/)
    const unsupported = fakeDevices([])
    const error = await MediaRecording.start('voice', unsupported.devices).catch((caught) => caught)
    assert.instanceOf(error, RecordingUnavailable)
    assert.match(error.message, /cannot record voice messages/)
    assert.lengthOf(unsupported.calls.constraints, 0, 'no device opened for a type the browser cannot write')
  })
})

test.group('LevelMeter', () => {
  test('silence is 0, a loud signal is near 1', ({ assert }) => {
    assert.equal(levelOf(new Uint8Array(64).fill(128)), 0)
    const loud = new Uint8Array(64).map((_, index) => (index % 2 ? 255 : 0))
    assert.equal(levelOf(loud), 1)
    const quiet = new Uint8Array(64).map((_, index) => (index % 2 ? 136 : 120))
    assert.isAbove(levelOf(quiet), 0)
    assert.isBelow(levelOf(quiet), 0.5)
  })

  test('reports a level each frame from the analyser, and closes its context once', async ({ assert }) => {
    const frames: Array<() => void> = []
    let value = 128
    let closed = 0
    let resumed = 0
    let connected: unknown = null
    const analyser = { fftSize: 0, getByteTimeDomainData: (samples: Uint8Array) => samples.fill(value) }
    const context = {
      createMediaStreamSource: () => ({ connect: (node: unknown) => (connected = node), disconnect() {} }),
      createAnalyser: () => analyser,
      resume: async () => void resumed++,
      close: async () => void closed++,
    }
    const levels: number[] = []
    const meter = new LevelMeter(fakeStream(), (level) => levels.push(level), {
      createContext: () => context,
      nextFrame: (run) => {
        frames.push(run)
        return () => frames.splice(frames.indexOf(run), 1)
      },
    })
    assert.strictEqual(connected, analyser)
    assert.equal(resumed, 1, 'a suspended context is resumed, or it reads silence')
    frames.shift()!()
    value = 200
    frames.shift()!()
    assert.equal(levels[0], 0)
    assert.isAbove(levels[1]!, 0.5)
    meter.stop()
    meter.stop()
    assert.equal(closed, 1)
    assert.lengthOf(frames, 0, 'no frame scheduled after stop')
    assert.equal(levels.at(-1), 0)
  })
})

test.group('Timeline player recovery', () => {
  function fakePlayer(error: { code: number; message: string } | null) {
    const calls: string[] = []
    const player = {
      error,
      preload: 'metadata',
      dataset: {} as Record<string, string | undefined>,
      load: () => void calls.push(`load ${player.preload}`),
      play: async () => void calls.push('play'),
    }
    return { player, calls }
  }

  test('a failed player is loaded again with preload=auto, once, and played if play was pressed', ({ assert }) => {
    const { player, calls } = fakePlayer({ code: 2, message: 'FFmpegDemuxer: demuxer seek failed' })
    notePlay(player, true)
    assert.isTrue(recoverPlayer(player))
    assert.deepEqual(calls, ['load auto', 'play'])
    assert.isFalse(recoverPlayer(player), 'only once: a file that fails twice is really broken')
    assert.deepEqual(calls, ['load auto', 'play'])
  })

  test('not played when nobody pressed play; a player without an error is left alone', ({ assert }) => {
    const failed = fakePlayer({ code: 2, message: 'x' })
    notePlay(failed.player, true)
    notePlay(failed.player, false)
    recoverPlayer(failed.player)
    assert.deepEqual(failed.calls, ['load auto'])
    const fine = fakePlayer(null)
    assert.isFalse(recoverPlayer(fine.player))
    assert.deepEqual(fine.calls, [])
  })
})
