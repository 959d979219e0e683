import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import DeclineCall from '#actions/calls/decline_call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'

/** `POST /calls/:id/decline`: declining a ringing call. */
export default class CallDeclinesController {
  async store({ auth, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const found = await Call.findForMember(user, params.id)
    const { call } = await new DeclineCall().handle(user, found.id)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.ok({ call: serializeCall(await loadCallDetails(call)) })
    }
    return response.redirect().back()
  }
}
