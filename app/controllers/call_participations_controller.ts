import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import JoinCall from '#actions/calls/join_call'
import LeaveCall from '#actions/calls/leave_call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'

/** My participation in a call, as a resource: accepting or joining creates it, leaving ends it. */
export default class CallParticipationsController {
  /** `POST /calls/:id/participation`: accept a ring or join from the banner. */
  async store({ auth, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const found = await Call.findForMember(user, params.id)
    const { call } = await new JoinCall().handle(user, found.id)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.ok({ call: serializeCall(await loadCallDetails(call)) })
    }
    // The Join buttons in the timeline and the banner post with htmx: send the page along.
    if (request.header('hx-request')) {
      return response.header('HX-Redirect', `/calls/${call.id}`).noContent()
    }
    return response.redirect().toRoute('calls.show', { id: call.id })
  }

  /** `DELETE /calls/:id/participation`: leave the call. */
  async destroy({ auth, params, request, response, session }: HttpContext) {
    const user = auth.getUserOrFail()
    const found = await Call.findForMember(user, params.id)
    const { call } = await new LeaveCall().handle(user, found.id)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.ok({ call: serializeCall(await loadCallDetails(call)) })
    }
    session.flash('notice', 'You left the call.')
    return response.redirect().toRoute('channels.show', { id: call.channelId })
  }
}
