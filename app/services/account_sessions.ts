import app from '@adonisjs/core/services/app'
import { configProvider } from '@adonisjs/core'
import { SessionCollection } from '@adonisjs/session'
import type { HttpContext } from '@adonisjs/core/http'
import type { ResolvedSessionConfig, SessionData } from '@adonisjs/session/types'
import type User from '#models/user'
import { ACTIVITY_INTERVAL_MS, LAST_SEEN_KEY } from '#services/session_stores'

/** The session key describing the device a session was signed in from. */
export const DEVICE_KEY = 'device'

/** What a session remembers about where it was signed in. */
export type SessionDevice = { userAgent: string; ip: string; signedInAt: number }

/** One row of the account page's session list (never the session id: it is a bearer secret). */
export type ActiveSession = {
  device: string
  ip: string
  signedInAt: Date
  lastSeenAt: Date
  current: boolean
}

let resolvedConfig: Promise<ResolvedSessionConfig> | undefined
let collection: Promise<SessionCollection> | undefined

/** config/session.ts with its stores resolved, for sessions built outside the session middleware. */
export function sessionConfig() {
  resolvedConfig ??= configProvider.resolve<ResolvedSessionConfig>(app, app.config.get('session')).then((config) => config!)
  return resolvedConfig
}

/** The configured session store, seen from outside a request: list and destroy anyone's sessions. */
export function sessionCollection() {
  collection ??= sessionConfig().then((config) => new SessionCollection(config))
  return collection
}

/**
 * Tags a signed-in session with its owner and device, and records activity at most once a
 * minute (each record also slides the session's expiry, see touchingOnlyWhenIdle).
 */
export async function recordSessionActivity({ request, session }: HttpContext, user: User) {
  if (session.readonly) return
  const now = Date.now()
  if (!session.has(DEVICE_KEY)) {
    await session.tag(String(user.id))
    const device: SessionDevice = { userAgent: (request.header('user-agent') ?? '').slice(0, 400), ip: request.ip(), signedInAt: now }
    session.put(DEVICE_KEY, device)
  }
  if (now - Number(session.get(LAST_SEEN_KEY, 0)) >= ACTIVITY_INTERVAL_MS) session.put(LAST_SEEN_KEY, now)
}

/** A person's live sessions, the current one first, then by last activity. */
export async function activeSessionsOf(user: User, currentSessionId: string): Promise<ActiveSession[]> {
  const tagged = await (await sessionCollection()).tagged(String(user.id))
  return tagged
    .filter(({ data }) => Number(data.auth_web) === user.id)
    .map(({ id, data }) => toActiveSession(data, id === currentSessionId))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
}

function toActiveSession(data: SessionData, current: boolean): ActiveSession {
  const device = (data[DEVICE_KEY] ?? {}) as Partial<SessionDevice>
  const signedInAt = new Date(Number(device.signedInAt ?? Date.now()))
  return {
    device: describeDevice(device.userAgent ?? ''),
    ip: device.ip ?? 'unknown',
    signedInAt,
    lastSeenAt: new Date(Number(data[LAST_SEEN_KEY] ?? signedInAt.getTime())),
    current,
  }
}

/** "Firefox on Linux" from a User-Agent header; good enough to recognise one's own devices. */
export function describeDevice(userAgent: string) {
  const browser = /Edg(e|A|iOS)?\//.test(userAgent)
    ? 'Edge'
    : /OPR\/|Opera/.test(userAgent)
      ? 'Opera'
      : /Firefox\/|FxiOS/.test(userAgent)
        ? 'Firefox'
        : /Chrome\/|Chromium\/|CriOS/.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : 'Other client'
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /CrOS/.test(userAgent)
          ? 'ChromeOS'
          : /Mac OS X|Macintosh/.test(userAgent)
            ? 'macOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : null
  return os ? `${browser} on ${os}` : browser
}

