import { test } from '@japa/runner'
import { LocalMedia } from '../../resources/js/calls/local_media.js'
import type { DeviceProblem } from '../../resources/js/calls/device_problems.js'
import { FakeTrack, flush, installMediaStream } from '#tests/helpers/fake_webrtc'
import { FakeMediaDevices, fakePermissions } from '#tests/helpers/fake_devices'

/** LocalMedia on fake devices, recording the tracks sent, the states and the problems it emitted. */
function setup(options: { permissions?: ReturnType<typeof fakePermissions> } = {}) {
  const devices = new FakeMediaDevices()
  const media = new LocalMedia(devices as unknown as MediaDevices, { permissions: options.permissions ?? fakePermissions() })
  const seen = {
    tracks: [] as Array<{ kind: string; track: FakeTrack | null }>,
    states: [] as Array<LocalMedia['state']>,
    problems: [] as DeviceProblem[][],
  }
  media.on('track', ({ kind, track }) => seen.tracks.push({ kind, track: track as unknown as FakeTrack | null }))
  media.on('state', (state) => seen.states.push(state))
  media.on('problems', (problems) => seen.problems.push(problems))
  const codes = () => media.problems.map((problem) => `${problem.device}:${problem.code}`)
  const live = (kind: 'audio' | 'video') => media.stream.getTracks().find((track) => track.kind === kind) as unknown as FakeTrack | undefined
  return { devices, media, seen, codes, live }
}

test.group('LocalMedia: devices that fail', (group) => {
  group.each.setup(() => installMediaStream())

  test('a camera in use by another app: joins with audio, says so, and Try again brings the camera', async ({ assert }) => {
    const { devices, media, seen, codes, live } = setup()
    devices.failures.video = 'NotReadableError'
    await media.start('video')

    assert.deepEqual(media.state, { audio: true, video: false, screen: false })
    assert.deepEqual(codes(), ['camera:in-use'])
    assert.isTrue(media.cameraOff)
    assert.isUndefined(live('video'), 'no camera track in my preview')

    // Still in use: the problem stays.
    await media.retry('camera')
    assert.deepEqual(codes(), ['camera:in-use'])

    delete devices.failures.video
    await media.retry('camera')
    assert.deepEqual(codes(), [])
    assert.deepEqual(media.state, { audio: true, video: true, screen: false })
    assert.equal(seen.tracks.at(-1)!.kind, 'video')
    assert.strictEqual(seen.tracks.at(-1)!.track, live('video'), 'every connection gets the new camera')
    assert.deepEqual(seen.states.at(-1), { audio: true, video: true, screen: false })
  })

  test('no microphone: joins with the camera, unheard, and the Mute button tries again', async ({ assert }) => {
    const { devices, media, codes } = setup()
    devices.failures.audio = 'NotFoundError'
    await media.start('video')

    assert.deepEqual(media.state, { audio: false, video: true, screen: false })
    assert.deepEqual(codes(), ['microphone:missing'])
    assert.equal(media.problems[0]!.control, 'Microphone not found')

    delete devices.failures.audio
    await media.toggleMute()
    assert.deepEqual(codes(), [])
    assert.deepEqual(media.state, { audio: true, video: true, screen: false })
    assert.isFalse(media.muted, 'trying again did not mute')
  })

  test('permission denied for both: joins receive-only with one problem per device', async ({ assert }) => {
    const { devices, media, codes } = setup()
    devices.failures = { audio: 'NotAllowedError', video: 'NotAllowedError' }
    await media.start('video')

    assert.deepEqual(media.state, { audio: false, video: false, screen: false })
    assert.deepEqual(media.tracks, [])
    assert.deepEqual(codes(), ['microphone:denied', 'camera:denied'])
    media.dismiss('camera')
    assert.deepEqual(codes(), ['microphone:denied'])
  })

  test('an audio call never asks for the camera', async ({ assert }) => {
    const { devices, media, codes } = setup()
    devices.failures.video = 'NotReadableError'
    await media.start('audio')
    assert.deepEqual(codes(), [])
    assert.isTrue(devices.requests.every((request) => !request.video))
  })

  test('a switch to a device that fails keeps the current one and says so', async ({ assert }) => {
    const { devices, media, live } = setup()
    await media.start('video')
    const camera = live('video')!

    assert.isFalse(await media.switchDevice('video', 'cam-unknown'))
    assert.strictEqual(live('video'), camera)
    assert.isFalse(camera.stopped)
    assert.deepInclude(media.problems[0]!, { device: 'camera', code: 'missing', control: null, retry: false })
    devices.listed.push({ deviceId: 'cam-2', kind: 'videoinput', label: 'Side camera' })
    assert.isTrue(await media.switchDevice('video', 'cam-2'))
    assert.deepEqual(media.problems, [], 'the switch that worked clears it')
    assert.equal(live('video')!.label, 'Side camera')
    assert.isTrue(camera.stopped)
  })
})

test.group('LocalMedia: devices lost mid-call', (group) => {
  group.each.setup(() => installMediaStream())

  test('an unplugged microphone: another one takes over by itself, still muted if I was', async ({ assert }) => {
    const { devices, media, seen, live } = setup()
    devices.listed.push({ deviceId: 'mic-2', kind: 'audioinput', label: 'USB headset' })
    await media.start('video')
    media.setMuted(true)
    const first = live('audio')!

    first.end()
    await flush()

    const second = live('audio')!
    assert.notStrictEqual(second, first)
    assert.equal(second.deviceId, 'mic-2')
    assert.isFalse(second.enabled, 'I stay muted on the new microphone')
    assert.isTrue(first.stopped)
    assert.strictEqual(seen.tracks.at(-1)!.track, second)
    assert.deepInclude(media.problems[0]!, {
      code: 'switched',
      message: 'Your microphone was disconnected, so Confab switched to USB headset.',
      control: null,
    })
  })

  test('an unplugged microphone with no other: the others see it off, and plugging one in brings it back', async ({ assert }) => {
    const { devices, media, seen, codes, live } = setup()
    await media.start('video')
    const first = live('audio')!

    devices.unplug('mic-1')
    first.end()
    await flush()

    assert.deepEqual(codes(), ['microphone:disconnected'])
    assert.equal(media.problems[0]!.control, 'Microphone disconnected')
    assert.deepEqual(seen.tracks.at(-1), { kind: 'audio', track: null }, 'the ended track leaves every connection')
    assert.deepEqual(seen.states.at(-1), { audio: false, video: true, screen: false })
    assert.isUndefined(live('audio'))

    devices.plug('mic-3', 'audioinput', 'Conference speaker')
    await flush()
    assert.deepEqual(codes(), [])
    assert.equal(live('audio')!.label, 'Conference speaker')
    assert.deepEqual(seen.states.at(-1), { audio: true, video: true, screen: false })
  })

  test('a camera that leaves the device list is handled once, even when its track ends too', async ({ assert }) => {
    const { devices, media, seen, codes } = setup()
    await media.start('video')
    const camera = seen.tracks.find((entry) => entry.kind === 'video')!.track!
    const requestsBefore = devices.requests.length

    devices.unplug('cam-1')
    camera.end()
    await flush()

    assert.deepEqual(codes(), ['camera:disconnected'])
    assert.equal(devices.requests.length, requestsBefore, 'no other camera to try, nothing asked')
    assert.lengthOf(seen.problems, 1, 'one loss, one problem')
    assert.deepEqual(media.state, { audio: true, video: false, screen: false })
  })

  test('a permission revoked mid-call is said as such; no other device is tried', async ({ assert }) => {
    const permissions = fakePermissions()
    const { devices, media, codes, live } = setup({ permissions })
    devices.listed.push({ deviceId: 'cam-2', kind: 'videoinput', label: 'Side camera' })
    await media.start('video')
    const requestsBefore = devices.requests.length

    permissions.states.camera = 'denied'
    live('video')!.end()
    await flush()

    assert.deepEqual(codes(), ['camera:revoked'])
    assert.equal(media.problems[0]!.control, 'Camera blocked')
    assert.equal(devices.requests.length, requestsBefore)
    assert.deepEqual(media.state, { audio: true, video: false, screen: false })
  })

  test('after stop(), a track ending or a device change does nothing', async ({ assert }) => {
    const { devices, media, seen, live } = setup()
    await media.start('video')
    const microphone = live('audio')!
    media.stop()
    const emitted = seen.tracks.length + seen.problems.length

    microphone.end()
    devices.unplug('cam-1')
    await flush()
    assert.equal(seen.tracks.length + seen.problems.length, emitted)
  })
})
