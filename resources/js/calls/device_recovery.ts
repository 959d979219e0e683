import { deviceProblem, type DeviceName, type DeviceProblem } from './device_problems.js'

/** The part of the Permissions API recovery reads (not every browser knows camera/microphone). */
export type Permissions = { query(descriptor: { name: PermissionName }): Promise<{ state: PermissionState }> }

const INPUT = { microphone: 'audioinput', camera: 'videoinput' } as const

/** What recovery needs of LocalMedia: its tracks, and the ways to change them. */
export type RecoveryHost = {
  trackOf(device: DeviceName): MediaStreamTrack | null
  deviceIdOf(device: DeviceName): string
  problemOf(device: DeviceName): DeviceProblem | undefined
  listDevices(): Promise<MediaDeviceInfo[]>
  /** Starts that device, or throws the browser's error. */
  capture(device: DeviceName, deviceId: string): Promise<MediaStreamTrack>
  install(device: DeviceName, track: MediaStreamTrack): void
  /** Takes the device's track out (the others see it off). */
  drop(device: DeviceName): void
  report(problem: DeviceProblem): void
  retry(device: DeviceName): Promise<void>
  /** The devices changed, or a recovery finished: the pickers read the list again. */
  changed(): void
}

/**
 * What happens when a device goes away mid-call, for LocalMedia: a track that ended without
 * being stopped (unplugged, taken by the system, permission revoked), or a `devicechange` that
 * no longer lists the device in use. A revoked permission is said as such; otherwise another
 * device of the same kind takes over when there is one (as the OS would switch to the built-in
 * microphone), else the device is reported disconnected. A device that appears while one was
 * missing is tried at once.
 */
export class DeviceRecovery {
  /** Devices being recovered now: `ended` and `devicechange` may both report the same loss. */
  #recovering = new Set<DeviceName>()

  constructor(
    private host: RecoveryHost,
    private permissions: Permissions | null
  ) {}

  /** `track` of `device` ended on its own. */
  async lost(device: DeviceName, track: MediaStreamTrack) {
    const { host } = this
    if (host.trackOf(device) !== track || this.#recovering.has(device)) return
    this.#recovering.add(device)
    try {
      if ((await this.#permission(device)) === 'denied') {
        host.drop(device)
        return host.report(deviceProblem('revoked', device))
      }
      const lostId = host.deviceIdOf(device)
      const listed = await host.listDevices().catch(() => [])
      const others = listed.filter((other) => other.kind === INPUT[device] && other.deviceId && other.deviceId !== lostId)
      for (const other of others) {
        const next = await host.capture(device, other.deviceId).catch(() => null)
        if (!next) continue
        host.install(device, next)
        return host.report(deviceProblem('switched', device, { label: next.label || other.label || undefined }))
      }
      host.drop(device)
      host.report(deviceProblem('disconnected', device))
    } finally {
      this.#recovering.delete(device)
      host.changed()
    }
  }

  /** The browser's `devicechange`: compares the list with the devices in use or missing. */
  async reconcile(wanted: Iterable<DeviceName>) {
    const { host } = this
    const listed = await host.listDevices().catch(() => [])
    for (const device of wanted) {
      const track = host.trackOf(device)
      const ids = listed.filter((info) => info.kind === INPUT[device]).map((info) => info.deviceId)
      const code = host.problemOf(device)?.code
      const inUse = host.deviceIdOf(device)
      if (track && inUse && !ids.includes(inUse)) void this.lost(device, track)
      else if (!track && ids.length > 0 && (code === 'missing' || code === 'disconnected')) void host.retry(device)
    }
    host.changed()
  }

  /** The permission's state where the browser tells it ('denied' after a revocation). */
  async #permission(device: DeviceName): Promise<PermissionState | 'unknown'> {
    try {
      return (await this.permissions?.query({ name: device as PermissionName }))?.state ?? 'unknown'
    } catch {
      return 'unknown'
    }
  }
}
