import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import callsConfig from '#config/calls'
import Channel from '#models/channel'
import StartCall from '#actions/calls/start_call'
import { startCallValidator } from '#validators/call'
import { respondWithCall } from '#helpers/call_response'
import { recordRefusal } from '#metrics/limit_metrics'

const callStarts = () => limiter.use({ requests: callsConfig.startsPerMinute, duration: '1 min' })

/** A channel's calls: starting one (the banner is rendered by ChannelsController.show). */
export default class ChannelCallsController {
  /** `POST /channels/:id/calls`: starts a call, or joins the live one. */
  async store(ctx: HttpContext) {
    const { auth, params, request, response } = ctx
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const { kind } = await request.validateUsing(startCallValidator)

    const started = await callStarts().attempt(`call_start:${user.id}`, () =>
      new StartCall().handle(user, channel, kind)
    )
    if (!started) {
      recordRefusal('call_starts')
      const seconds = await callStarts().availableIn(`call_start:${user.id}`)
      const message = `You are starting calls too quickly. Try again in ${seconds} seconds.`
      return response
        .header('Retry-After', String(seconds))
        .tooManyRequests({ errors: [{ code: 'E_TOO_MANY_REQUESTS', message }] })
    }

    const { call, joinedExisting } = started
    return respondWithCall(ctx, call, () => response.redirect().toRoute('calls.show', { id: call.id }), {
      status: joinedExisting ? 200 : 201,
      extra: (loaded) => ({
        joinedExisting,
        busy: loaded.participants.filter((p) => p.busy).map((p) => ({ userId: p.userId, name: p.user.fullName })),
      }),
    })
  }
}
