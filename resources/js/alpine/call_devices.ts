import type { LocalMedia } from '../calls/local_media.js'
import type { DeviceName, DeviceProblem } from '../calls/device_problems.js'

/**
 * The room's device alert (frags/call_devices.edge) and the words on the Mute and Camera
 * buttons, spread into the `callMedia` component. DOM wiring only: LocalMedia decides what is
 * wrong and how each button fixes it. `media` is read on every call, as callMedia owns it.
 */
export function callDevices(media: () => LocalMedia | null) {
  return {
    deviceProblems: [] as DeviceProblem[],

    /** Follows LocalMedia's problems from now on (callMedia calls it before starting the devices). */
    watchDevices(local: LocalMedia) {
      local.on('problems', (problems) => (this.deviceProblems = problems))
    },

    retryDevice(device: DeviceName) {
      void media()?.retry(device)
    },

    dismissProblem(device: DeviceName) {
      media()?.dismiss(device)
    },

    chooseDevice(device: DeviceName, deviceId: string) {
      if (deviceId) void media()?.switchDevice(device === 'microphone' ? 'audio' : 'video', deviceId)
    },

    /** A device button's text: what went wrong while the device is not working, else `toggle`. */
    deviceControlText(device: DeviceName, toggle: string) {
      const problem = this.deviceProblems.find((candidate) => candidate.device === device)
      return problem?.control ?? toggle
    },

    /** "Choose another microphone", for the alert's picker. */
    chooseText(device: DeviceName) {
      return `Choose another ${device}`
    },
  }
}
