import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import CallPolicy from '#policies/call_policy'
import EndCall from '#actions/calls/end_call'
import { respondWithCall } from '#helpers/call_response'

/** `POST /calls/:id/end`: the initiator ends the call for everyone. */
export default class CallEndingsController {
  async store(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const found = await Call.findForMember(user, ctx.params.id)
    await ctx.bouncer.with(CallPolicy).authorize('end', found)

    const { call } = await new EndCall().handle(user, found.id)
    // The call page says so itself (Call.endedNoticeFor): a flash could be consumed by the
    // page's own live requests before the redirect lands.
    return respondWithCall(ctx, call, () => ctx.response.redirect().toRoute('calls.show', { id: call.id }))
  }
}
