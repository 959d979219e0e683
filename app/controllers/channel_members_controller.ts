import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import User from '#models/user'
import ChannelPolicy from '#policies/channel_policy'
import JoinChannel from '#actions/channels/join_channel'
import { inviteMemberValidator } from '#validators/channel'

/** Members adding people to a channel (how private channels grow). */
export default class ChannelMembersController {
  async store({ auth, bouncer, params, request, response, session }: HttpContext) {
    const channel = await Channel.findForMember(auth.getUserOrFail(), params.id)
    await bouncer.with(ChannelPolicy).authorize('invite', channel)
    const { userId } = await request.validateUsing(inviteMemberValidator)

    const invitee = await User.findOrFail(userId)
    await new JoinChannel().handle(invitee, channel)
    session.flash('notice', `${invitee.fullName} was added to #${channel.name}.`)
    return response.redirect().toRoute('channels.show', { id: channel.id })
  }
}
