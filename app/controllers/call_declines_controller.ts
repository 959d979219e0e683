import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import DeclineCall from '#actions/calls/decline_call'
import { respondWithCall } from '#helpers/call_response'

/** `POST /calls/:id/decline`: declining a ringing call. */
export default class CallDeclinesController {
  async store(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const found = await Call.findForMember(user, ctx.params.id)
    const { call } = await new DeclineCall().handle(user, found.id)
    return respondWithCall(ctx, call, () => ctx.response.redirect().back())
  }
}
