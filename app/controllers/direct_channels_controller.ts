import type { HttpContext } from '@adonisjs/core/http'
import OpenDirectChannel from '#actions/channels/open_direct_channel'
import { directChannelValidator } from '#validators/channel'

/** "Message Bob": opens the direct-message channel with someone, creating it once. */
export default class DirectChannelsController {
  async store({ auth, request, response }: HttpContext) {
    const { userId } = await request.validateUsing(directChannelValidator)
    const channel = await new OpenDirectChannel().handle(auth.getUserOrFail(), userId)
    return response.redirect().toRoute('channels.show', { id: channel.id })
  }
}
