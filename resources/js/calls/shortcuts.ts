/** The call room's keyboard shortcuts, as the legend in the room lists them (docs/call_room.md). */
export const SHORTCUTS = [
  { key: 'm', action: 'mute', label: 'Mute or unmute the microphone' },
  { key: 'v', action: 'camera', label: 'Turn the camera off or on' },
  { key: 'h', action: 'hand', label: 'Raise or lower your hand' },
  { key: 'Escape', action: 'escape', label: 'Close an open menu or panel' },
] as const

export type ShortcutAction = (typeof SHORTCUTS)[number]['action']

/** What a shortcut needs of a keydown event (a plain object in the unit tests). */
export type KeyLike = {
  key: string
  ctrlKey?: boolean
  metaKey?: boolean
  altKey?: boolean
  repeat?: boolean
  defaultPrevented?: boolean
  target?: unknown
  preventDefault?: () => void
}

/** What a shortcut needs of the event's target: an element's name, editability and ancestry. */
type TargetLike = { tagName?: string; isContentEditable?: boolean; closest?: (selector: string) => unknown }

/**
 * Turns key presses into call actions. A letter typed into a field (input, textarea, select,
 * contenteditable) is text, not a shortcut; so is one with Ctrl, Cmd or Alt (the browser's and
 * the system's own shortcuts), a held key's repeats, and a key pressed inside a modal dialog
 * (the incoming-call modal keeps its own keys and focus trap). Escape always reaches its action
 * unless something already handled it.
 */
export class Shortcuts {
  constructor(private actions: Partial<Record<ShortcutAction, () => void>>) {}

  /** Runs the action for this key press; true (and the default prevented) when one ran. */
  handle(event: KeyLike) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return false
    const target = (event.target ?? null) as TargetLike | null
    if (target?.closest?.('[aria-modal="true"]')) return false
    const shortcut = SHORTCUTS.find((candidate) => candidate.key === (event.key.length === 1 ? event.key.toLowerCase() : event.key))
    if (!shortcut) return false
    if (shortcut.action !== 'escape' && isTyping(target)) return false
    const run = this.actions[shortcut.action]
    if (!run) return false
    run()
    event.preventDefault?.()
    return true
  }
}

function isTyping(target: TargetLike | null) {
  if (!target) return false
  if (target.isContentEditable) return true
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(String(target.tagName).toUpperCase())
}
