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

/** The first error message of a JSON error response. */
export function errorMessage(data: any, fallback: string) {
  return data?.errors?.[0]?.message ?? fallback
}
