import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import callsConfig from '#config/calls'
import Channel from '#models/channel'
import Call from '#models/call'
import StartCall from '#actions/calls/start_call'
import { startCallValidator } from '#validators/call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'

const callStarts = () => limiter.use({ requests: callsConfig.startsPerMinute, duration: '1 min' })

/** A channel's calls: starting one, and the "call in progress" banner. */
export default class ChannelCallsController {
  /** `POST /channels/:id/calls`: starts a call, or joins the live one. */
  async store({ auth, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const { kind } = await request.validateUsing(startCallValidator)

    const started = await callStarts().attempt(`call_start:${user.id}`, () =>
      new StartCall().handle(user, channel, kind)
    )
    if (!started) {
      const seconds = await callStarts().availableIn(`call_start:${user.id}`)
      const message = `You are starting calls too quickly. Try again in ${seconds} seconds.`
      return response
        .header('Retry-After', String(seconds))
        .tooManyRequests({ errors: [{ code: 'E_TOO_MANY_REQUESTS', message }] })
    }

    const call = await loadCallDetails(started.call)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.status(started.joinedExisting ? 200 : 201).send({
        call: serializeCall(call),
        joinedExisting: started.joinedExisting,
        busy: call.participants.filter((p) => p.busy).map((p) => ({ userId: p.userId, name: p.user.fullName })),
      })
    }
    return response.redirect().toRoute('calls.show', { id: call.id })
  }

  /** `GET /channels/:id/calls/live`: the banner fragment (empty when no call is live). */
  async live({ auth, params, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const call = await Call.query().where('live_channel_id', channel.id).first()
    if (call) await loadCallDetails(call)
    return view.render('frags/call_banner', { channel, call })
  }
}
