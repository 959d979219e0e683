import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import CallPolicy from '#policies/call_policy'
import EndCall from '#actions/calls/end_call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'

/** `POST /calls/:id/end`: the initiator ends the call for everyone. */
export default class CallEndingsController {
  async store({ auth, bouncer, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const found = await Call.findForMember(user, params.id)
    await bouncer.with(CallPolicy).authorize('end', found)

    const { call } = await new EndCall().handle(user, found.id)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.ok({ call: serializeCall(await loadCallDetails(call)) })
    }
    // The call page says so itself (Call.endedNoticeFor): a flash could be consumed by the
    // page's own live requests before the redirect lands.
    return response.redirect().toRoute('calls.show', { id: call.id })
  }
}
