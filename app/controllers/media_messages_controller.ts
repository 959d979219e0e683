import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { errors as vineErrors } from '@vinejs/vine'
import Channel from '#models/channel'
import PostMediaMessage from '#actions/messages/post_media_message'
import { receiveUpload } from '#media/receive_upload'
import { MediaProblem } from '#media/container_report'
import { mediaMessageValidator } from '#validators/media_message'
import { limitsFor } from '#config/media_messages'

/**
 * Voice and video messages from the composer (docs/media_messages.md): multipart with `kind`
 * and `media`. Every refusal is JSON with the sentence the composer shows (MediaProblem).
 */
export default class MediaMessagesController {
  async store({ auth, params, request, response, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const channel = await Channel.findForMember(user, params.id)

    const voice = { kind: 'voice' as const, ...limitsFor('voice') }
    const video = { kind: 'video' as const, ...limitsFor('video') }
    const largest = voice.maxBytes > video.maxBytes ? voice : video
    const upload = await receiveUpload(request, largest, (type) => (type.startsWith('audio/') ? voice : largest))
    try {
      const { kind } = await mediaMessageValidator.validate(upload.fields).catch((error) => {
        throw error instanceof vineErrors.E_VALIDATION_ERROR ? MediaProblem.wrongKind() : error
      })
      if (!upload.path) throw MediaProblem.missing()
      const message = await new PostMediaMessage().handle(user, channel, kind, { path: upload.path, bytes: upload.bytes })

      if (request.header('hx-request') || request.accepts(['html', 'json']) === 'html') {
        return response.created(await view.render('frags/message', { message }))
      }
      return response.created({
        id: message.id,
        kind: message.kind,
        durationMs: message.media.durationMs,
        mimeType: message.media.mimeType,
        url: urlFor('message_media.show', { id: message.id }),
      })
    } finally {
      await upload.discard()
    }
  }
}
