import type { HttpContext } from '@adonisjs/core/http'
import Channel from '#models/channel'
import MarkChannelRead from '#actions/channels/mark_channel_read'
import { readMarkerValidator } from '#validators/message'

/** Moves my read marker when messages arrive live in the channel I am looking at. */
export default class ReadMarkersController {
  async update({ auth, params, request, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)
    const { messageId } = await request.validateUsing(readMarkerValidator)

    await new MarkChannelRead().handle(user, channel, messageId)
    return response.noContent()
  }
}
