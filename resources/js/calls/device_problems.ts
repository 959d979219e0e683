/**
 * What went wrong with my microphone or camera, in the person's words, and the control that
 * fixes it. LocalMedia turns every getUserMedia failure and every device lost mid-call into one
 * of these; the room's alert (frags/call_devices.edge) shows the sentence and the buttons, and the
 * device's own control (Mute, Camera) shows `control` while the device is not working.
 */
export type DeviceName = 'microphone' | 'camera'

export type ProblemCode =
  /** Permission refused (NotAllowedError, SecurityError). */
  | 'denied'
  /** Held by another app, or the OS refused to start it (NotReadableError, AbortError). */
  | 'in-use'
  /** No such device (NotFoundError, OverconstrainedError). */
  | 'missing'
  /** Any other failure. */
  | 'failed'
  /** Its track ended mid-call (unplugged) and no other device could take over. */
  | 'disconnected'
  /** Its track ended mid-call and the permission is now 'denied'. */
  | 'revoked'
  /** Its track ended mid-call and another device took over: information only. */
  | 'switched'

export type DeviceProblem = {
  device: DeviceName
  code: ProblemCode
  /** The sentence the alert shows: what happened, how to fix it, what it means meanwhile. */
  message: string
  /** The short state the device's own button shows; null when a device still works. */
  control: string | null
  /** Whether the alert offers Try again. */
  retry: boolean
  /** Whether the alert offers another device to choose. */
  choose: boolean
}

/** The error names browsers use (older Chromium names included) and what they mean here. */
const CODES: Record<string, ProblemCode> = {
  NotAllowedError: 'denied',
  PermissionDeniedError: 'denied',
  SecurityError: 'denied',
  NotReadableError: 'in-use',
  TrackStartError: 'in-use',
  AbortError: 'in-use',
  NotFoundError: 'missing',
  DevicesNotFoundError: 'missing',
  OverconstrainedError: 'missing',
  ConstraintNotSatisfiedError: 'missing',
}

/** The problem a failed getUserMedia call means; `stillWorking` when a device of that kind still runs. */
export function problemFromError(error: unknown, device: DeviceName, stillWorking = false): DeviceProblem {
  const name = (error as { name?: unknown } | null)?.name
  return deviceProblem(typeof name === 'string' ? (CODES[name] ?? 'failed') : 'failed', device, { stillWorking })
}

const SITE_SETTINGS = "allow it in the address bar's site settings, then Try again."

function sentence(code: ProblemCode, device: DeviceName, label: string) {
  switch (code) {
    case 'denied':
      return `Confab can't use your ${device}: ${SITE_SETTINGS}`
    case 'revoked':
      return `Confab lost access to your ${device}: ${SITE_SETTINGS}`
    case 'in-use':
      return `Your ${device} is in use by another app: close that app or choose another ${device}, then Try again.`
    case 'missing':
      return `Confab can't find a ${device}: plug one in or choose another, then Try again.`
    case 'disconnected':
      return `Your ${device} was disconnected: plug it back in or choose another ${device}, then Try again.`
    case 'switched':
      return `Your ${device} was disconnected, so Confab switched to ${label}.`
    case 'failed':
      return `Your ${device} could not be started: Try again, or choose another ${device}.`
  }
}

/** What the device's own button says while it has no working device. */
const CONTROLS: Record<Exclude<ProblemCode, 'switched'>, string> = {
  'denied': 'blocked',
  'revoked': 'blocked',
  'in-use': 'in use',
  'missing': 'not found',
  'disconnected': 'disconnected',
  'failed': 'not working',
}

/**
 * The problem for `code` on `device`. `label` names the device that took over (`switched`);
 * `stillWorking` says the person keeps a working device (a switch to another one failed).
 */
export function deviceProblem(
  code: ProblemCode,
  device: DeviceName,
  { label = `another ${device}`, stillWorking = false }: { label?: string; stillWorking?: boolean } = {}
): DeviceProblem {
  const working = stillWorking || code === 'switched'
  const meanwhile = working
    ? ''
    : device === 'microphone'
      ? " Until then, others can't hear you."
      : ' Until then, others see your initials.'
  const capitalised = device === 'microphone' ? 'Microphone' : 'Camera'
  return {
    device,
    code,
    message: sentence(code, device, label) + (stillWorking ? ` Confab keeps your current ${device}.` : meanwhile),
    control: working ? null : `${capitalised} ${CONTROLS[code]}`,
    retry: !working,
    choose: code !== 'switched' && code !== 'denied' && code !== 'revoked',
  }
}
