import type { HttpContext } from '@adonisjs/core/http'

/**
 * Whether htmx asks for the element `id` alone: an `hx-get` on that element sends `HX-Request`
 * and `HX-Target: <id>`, and the action that renders the full page answers with the fragment.
 */
export function wantsFragment({ request, response }: HttpContext, id: string) {
  // The page and its fragment share a URL: a cache must tell them apart by this header.
  response.append('Vary', 'HX-Target')
  return Boolean(request.header('hx-request')) && request.header('hx-target') === id
}
