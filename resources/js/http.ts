/** JSON requests to Confab with the CSRF token Shield hands out in the XSRF-TOKEN cookie. */
export function readCookie(name: string) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`))
  return match ? decodeURIComponent(match[1]!) : ''
}

export async function requestJson(method: string, url: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: {
      'Accept': 'application/json',
      'Content-Type': 'application/json',
      'X-XSRF-TOKEN': readCookie('XSRF-TOKEN'),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = await response.json().catch(() => ({}))
  return { ok: response.ok, status: response.status, data }
}

/**
 * POSTs as htmx does (`HX-Request`), so the server answers the way it answers the page's Join
 * buttons: 204 with where to go next in `HX-Redirect`, or an error (the call's refusals,
 * such as 409, as JSON). `redirectTo` is that address, or null when the request failed.
 */
export async function postFollowingRedirect(url: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'HX-Request': 'true', 'X-XSRF-TOKEN': readCookie('XSRF-TOKEN') },
  })
  const redirectTo = response.ok ? response.headers.get('HX-Redirect') : null
  const data = redirectTo ? {} : await response.json().catch(() => ({}))
  return { ok: response.ok, status: response.status, redirectTo, data }
}

/** Fills the `CALL_ID` placeholder of a URL the server built with urlFor (see frags/incoming_call). */
export function urlForCall(template: string, callId: number) {
  return template.replace('CALL_ID', String(callId))
}

/** The first error message of a JSON error response. */
export function errorMessage(data: any, fallback: string) {
  return data?.errors?.[0]?.message ?? fallback
}
