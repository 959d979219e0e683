import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import ChannelPolicy from '#policies/channel_policy'
import JoinChannel from '#actions/channels/join_channel'
import LeaveChannel from '#actions/channels/leave_channel'

/** My membership of a channel, as a resource: join creates it, leave destroys it. */
export default class MembershipsController {
  async store({ auth, bouncer, params, response }: HttpContext) {
    const channel = await Channel.query().where('id', params.id).whereNot('kind', 'direct').firstOrFail()
    // A private channel is invisible to outsiders: answer 404 as if it did not exist.
    if (await bouncer.with(ChannelPolicy).denies('join', channel)) return response.notFound()

    await new JoinChannel().handle(auth.getUserOrFail(), channel)
    return response.redirect().toRoute('channels.show', { id: channel.id })
  }

  async destroy(ctx: HttpContext) {
    const { auth, bouncer, params, response, session } = ctx
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    await bouncer.with(ChannelPolicy).authorize('leave', channel)

    await new LeaveChannel().handle(user, channel)
    session.flash('notice', `You left #${channel.name}.`)
    return response.redirect().toRoute('channels.index')
  }
}
