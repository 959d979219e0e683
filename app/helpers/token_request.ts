import type { IncomingHttpHeaders } from 'node:http'

/** The session cookie's name (config/session.ts `cookieName`). */
export const SESSION_COOKIE = 'confab-session'

/**
 * Whether a request comes from a token client: it carries `Authorization: Bearer …` and no
 * session cookie. Such a request is who its token says, nothing else, so the defences that exist
 * for cookies do not apply to it: Shield's CSRF check and the call WebSocket's Origin check both
 * stop another site from using the cookies a browser attaches to every request to us. That site
 * cannot add an Authorization header instead: a cross-site fetch with one needs a CORS preflight
 * that Confab never answers with permission, a form or a link cannot set headers, and a page's
 * `new WebSocket()` sends no Authorization at all. A request with both a Bearer header and a
 * session cookie counts as a browser's (session, CSRF and Origin rules).
 */
export function isTokenRequest(headers: IncomingHttpHeaders) {
  // The shape the access-token guard reads: "Bearer <token>", one space.
  if (!/^bearer \S/i.test(headers.authorization ?? '')) return false
  return !hasCookie(headers.cookie, SESSION_COOKIE)
}

function hasCookie(header: string | undefined, name: string) {
  if (!header) return false
  return header.split(';').some((pair) => pair.split('=', 1)[0]!.trim() === name)
}
