import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import JoinCall from '#actions/calls/join_call'
import LeaveCall from '#actions/calls/leave_call'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { respondWithCall } from '#helpers/call_response'

/** My participation in a call, as a resource: accepting or joining creates it, leaving ends it. */
export default class CallParticipationsController {
  /** `POST /calls/:id/participation`: accept a ring or join from the banner. */
  async store(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const found = await Call.findForMember(user, ctx.params.id)
    const { call } = await new JoinCall().handle(user, found.id)
    return respondWithCall(ctx, call, () => {
      // The Join buttons in the timeline and the banner, and the incoming-call modal's Accept,
      // post as htmx does: tell them which page to go to.
      if (ctx.request.header('hx-request')) {
        return ctx.response.header('HX-Redirect', urlFor('calls.show', { id: call.id })).noContent()
      }
      return ctx.response.redirect().toRoute('calls.show', { id: call.id })
    })
  }

  /** `DELETE /calls/:id/participation`: leave the call. */
  async destroy(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const found = await Call.findForMember(user, ctx.params.id)
    const { call } = await new LeaveCall().handle(user, found.id)
    return respondWithCall(ctx, call, () => {
      ctx.session.flash('notice', 'You left the call.')
      return ctx.response.redirect().toRoute('channels.show', { id: call.channelId })
    })
  }
}
