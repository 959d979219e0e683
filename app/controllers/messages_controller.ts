import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import Message from '#models/message'
import PostMessage from '#actions/messages/post_message'
import DeleteMessage from '#actions/messages/delete_message'
import MessagePolicy from '#policies/message_policy'
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

  /**
   * Deletes one's own message, its recording and file (docs/media_messages.md). Other members
   * get 403, non-members 404. htmx gets an empty 200: every page, this one too, removes the
   * message when the `message.deleted` event arrives.
   */
  async destroy({ auth, bouncer, params, request, response }: HttpContext) {
    const message = await Message.findForMember(auth.getUserOrFail(), params.id)
    await bouncer.with(MessagePolicy).authorize('delete', message)
    await new DeleteMessage().handle(message)
    if (request.header('hx-request')) return response.ok('')
    if (request.accepts(['html', 'json']) === 'json') return response.noContent()
    return response.redirect().toRoute('channels.show', { id: message.channelId })
  }
}
