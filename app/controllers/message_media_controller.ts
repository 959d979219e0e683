import type { HttpContext } from '@adonisjs/core/http'
import Message from '#models/message'
import { sendStoredFile } from '#helpers/stored_file_response'

/**
 * A voice or video message's file, for members of its channel only (anyone else: 404), with
 * HTTP Range so that players can seek (docs/media_messages.md). Never from a public folder.
 */
export default class MessageMediaController {
  async show(ctx: HttpContext) {
    const message = await Message.findForMember(ctx.auth.getUserOrFail(), ctx.params.id)
    const media = message.media
    if (!media) return ctx.response.notFound({ errors: [{ code: 'E_NOT_FOUND', message: 'This message has no recording.' }] })
    return sendStoredFile(ctx, media)
  }
}
