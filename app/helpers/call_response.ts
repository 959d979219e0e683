import type { HttpContext } from '@adonisjs/core/http'
import type Call from '#models/call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'

/** Whether the client asked for JSON (a script, the API) rather than a page. */
export function wantsJson(request: HttpContext['request']) {
  return request.accepts(['html', 'json']) === 'json'
}

/**
 * How every call route answers: JSON clients get the whole call (`{ call }`, shaped by
 * serializeCall, plus `extra` fields), with `status` (200 unless told); everyone else gets what
 * `otherwise()` returns, a redirect or a page.
 */
export async function respondWithCall(
  { request, response }: HttpContext,
  call: Call,
  otherwise: () => unknown,
  json: { status?: number; extra?: (call: Call) => Record<string, unknown> } = {}
) {
  if (!wantsJson(request)) return otherwise()
  await loadCallDetails(call)
  return response.status(json.status ?? 200).send({ call: serializeCall(call), ...json.extra?.(call) })
}
