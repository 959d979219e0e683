import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import Message from '#models/message'
import PostMessage from '#actions/messages/post_message'
import { olderMessagesValidator, postMessageValidator } from '#validators/message'

export default class MessagesController {
  /** Older messages for "Load earlier messages" (an htmx fragment). */
  async index({ auth, params, request, view }: HttpContext) {
    const channel = await Channel.findForMember(auth.getUserOrFail(), params.id)
    const { before } = await olderMessagesValidator.validate(request.qs())
    const page = await Message.pageOf(channel, before)
    return view.render('frags/older_messages', { channel, ...page })
  }

  /** Posts from the composer: htmx gets the new message's fragment, a plain form a redirect. */
  async store({ auth, params, request, response, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const { body } = await request.validateUsing(postMessageValidator)

    const message = await new PostMessage().handle(user, channel, body)
    if (request.header('hx-request')) {
      return view.render('frags/message', { message })
    }
    if (request.accepts(['html', 'json']) === 'json') {
      return response.created({ id: message.id, body: message.body, createdAt: message.createdAt })
    }
    return response.redirect().toRoute('channels.show', { id: channel.id })
  }
}
