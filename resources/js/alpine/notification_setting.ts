/**
 * The "Desktop alerts for calls" setting. Permission is only asked when the person ticks the
 * box, never on page load; the choice is kept per browser.
 */
const STORAGE_KEY = 'confab:call-notifications'

export function notificationsEnabled() {
  return (
    'Notification' in window && Notification.permission === 'granted' && localStorage.getItem(STORAGE_KEY) === 'on'
  )
}

export function notificationSetting() {
  return {
    unsupported: !('Notification' in window),
    enabled: notificationsEnabled(),
    denied: 'Notification' in window && Notification.permission === 'denied',

    async toggle() {
      if (!this.enabled) return localStorage.setItem(STORAGE_KEY, 'off')
      const permission = await Notification.requestPermission()
      this.denied = permission === 'denied'
      this.enabled = permission === 'granted'
      localStorage.setItem(STORAGE_KEY, this.enabled ? 'on' : 'off')
    },
  }
}
