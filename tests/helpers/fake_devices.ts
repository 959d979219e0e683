import { FakeMediaStream, FakeTrack } from '#tests/helpers/fake_webrtc'

type Kind = 'audio' | 'video'

/**
 * navigator.mediaDevices for LocalMedia in Node: a list of plugged-in devices, failures the test
 * sets by kind (an error name, as browsers throw), and the tracks handed out. `unplug` and
 * `plug` change the list and fire `devicechange`, as browsers do.
 */
export class FakeMediaDevices extends EventTarget {
  listed: Array<{ deviceId: string; kind: MediaDeviceKind; label: string }> = [
    { deviceId: 'mic-1', kind: 'audioinput', label: 'Desk microphone' },
    { deviceId: 'cam-1', kind: 'videoinput', label: 'Desk camera' },
  ]
  /** getUserMedia throws a DOMException-like error with this name for the kind. */
  failures: Partial<Record<Kind, string>> = {}
  handedOut: FakeTrack[] = []
  requests: MediaStreamConstraints[] = []

  async getUserMedia(constraints: MediaStreamConstraints) {
    this.requests.push(constraints)
    await Promise.resolve()
    const tracks: FakeTrack[] = []
    for (const kind of ['audio', 'video'] as const) {
      const wanted = constraints[kind]
      if (!wanted) continue
      const failure = this.failures[kind]
      if (failure) throw Object.assign(new Error(`${kind} failed`), { name: failure })
      const exact = typeof wanted === 'object' ? (wanted.deviceId as { exact?: string } | undefined)?.exact : undefined
      const device = this.listed.find((info) => info.kind === `${kind}input` && (!exact || info.deviceId === exact))
      if (!device) throw Object.assign(new Error('no device'), { name: exact ? 'OverconstrainedError' : 'NotFoundError' })
      tracks.push(Object.assign(new FakeTrack(kind), { deviceId: device.deviceId, label: device.label }))
    }
    this.handedOut.push(...tracks)
    return new FakeMediaStream(tracks) as unknown as MediaStream
  }

  async getDisplayMedia() {
    return new FakeMediaStream([new FakeTrack('video')]) as unknown as MediaStream
  }

  async enumerateDevices() {
    return this.listed.map((info) => ({ ...info, groupId: '', toJSON: () => info })) as MediaDeviceInfo[]
  }

  unplug(deviceId: string) {
    this.listed = this.listed.filter((info) => info.deviceId !== deviceId)
    this.dispatchEvent(new Event('devicechange'))
  }

  plug(deviceId: string, kind: MediaDeviceKind, label: string) {
    this.listed.push({ deviceId, kind, label })
    this.dispatchEvent(new Event('devicechange'))
  }
}

/** A Permissions API whose camera/microphone state the test sets. */
export function fakePermissions(states: Partial<Record<'camera' | 'microphone', PermissionState>> = {}) {
  return {
    states,
    async query({ name }: { name: PermissionName }) {
      return { state: states[name as 'camera' | 'microphone'] ?? 'granted' }
    },
  }
}
