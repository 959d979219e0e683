import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import Message from '#models/message'
import User from '#models/user'
import Call from '#models/call'
import { loadCallDetails } from '#serializers/call_serializer'
import { wantsFragment } from '#helpers/htmx'
import CreateChannel from '#actions/channels/create_channel'
import MarkChannelRead from '#actions/channels/mark_channel_read'
import { createChannelValidator } from '#validators/channel'

export default class ChannelsController {
  /** Browse: my channels and the public ones I could join. */
  async index({ auth, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const publicChannels = await Channel.query()
      .where('kind', 'public')
      .withCount('memberships')
      .orderBy('name')
    const myChannelIds = new Set(
      (await user.related('memberships').query().select('channel_id')).map((row) => row.channelId)
    )
    return view.render('pages/channels/index', { publicChannels, myChannelIds })
  }

  async create({ view }: HttpContext) {
    return view.render('pages/channels/create')
  }

  async store({ auth, request, response }: HttpContext) {
    const input = await request.validateUsing(createChannelValidator)
    const channel = await new CreateChannel().handle(auth.getUserOrFail(), input)
    return response.redirect().toRoute('channels.show', { id: channel.id })
  }

  /**
   * The channel page: header, members, the latest messages and the composer; the call banner
   * alone (frags/call_banner) when the banner refreshes itself with htmx.
   */
  async show(ctx: HttpContext) {
    const { auth, params, view } = ctx
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const call = await Call.liveIn(channel)
    if (call) await loadCallDetails(call)
    if (wantsFragment(ctx, 'call-banner')) {
      return view.render('frags/call_banner', { channel, call })
    }

    // The member list shows names only: no timestamps to parse for each member (bench: pages).
    await channel.load('members', (query) => query.select('users.id', 'users.full_name').orderBy('full_name'))
    const page = await Message.pageOf(channel)
    const newest = page.messages.at(-1)
    if (newest) await new MarkChannelRead().handle(user, channel, newest.id)

    const memberIds = channel.members.map((member) => member.id)
    const invitees = channel.isDirect ? [] : await User.namesNotIn(memberIds, 200)

    return view.render('pages/channels/show', {
      channel,
      call,
      invitees,
      messages: page.messages,
      hasOlder: page.hasOlder,
      title: channel.titleFor(user),
    })
  }
}
