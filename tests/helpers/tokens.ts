import User from '#models/user'
import { baseUrl } from '#tests/helpers/call_socket'

/** A personal access token of `user`, as the account page creates one: its id and its value. */
export async function tokenFor(user: User, expiresIn?: string) {
  const token = await User.accessTokens.create(user, ['*'], { name: 'test client', expiresIn })
  return { id: Number(token.identifier), value: token.value!.release() }
}

/**
 * An HTTP request as a token client sends it (docs/api.md): the Bearer header and JSON, with
 * no cookie and no CSRF token. Redirects are returned, not followed.
 */
export function tokenFetch(token: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string>; server?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...init.headers }
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  return fetch(new URL(path, init.server ?? baseUrl()), {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    redirect: 'manual',
  })
}
