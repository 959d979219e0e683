/**
 * When the person clicked Accept, Join or a call button, kept in the tab's sessionStorage
 * across the navigation to the call room, so the room can measure the time to connect from
 * the click (CallQualityReporter). Read once; a click older than a minute is not this join's.
 */
const KEY = 'confab:call-clicked-at'
const MAX_AGE_MS = 60_000

type SessionStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export function markCallClick(storage: SessionStore, now = Date.now()) {
  try {
    storage.setItem(KEY, String(now))
  } catch {
    // Storage disabled or full: the room falls back to its own load time.
  }
}

/** The click's time, once (it is removed), or null when there was none this last minute. */
export function takeCallClick(storage: SessionStore, now = Date.now()): number | null {
  try {
    const value = Number(storage.getItem(KEY))
    storage.removeItem(KEY)
    return value > 0 && now - value >= 0 && now - value <= MAX_AGE_MS ? value : null
  } catch {
    return null
  }
}
