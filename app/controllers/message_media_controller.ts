import type { HttpContext } from '@adonisjs/core/http'
import Message from '#models/message'
import mediaStore from '#services/media_store'
import { parseRange } from '#helpers/byte_range'

/**
 * A voice or video message's file, for members of its channel only (anyone else: 404), with
 * HTTP Range so that players can seek (docs/media_messages.md). Never from a public folder.
 */
export default class MessageMediaController {
  async show({ auth, params, request, response }: HttpContext) {
    const message = await Message.findForMember(auth.getUserOrFail(), params.id)
    const media = message.media
    if (!media) return response.notFound({ errors: [{ code: 'E_NOT_FOUND', message: 'This message has no recording.' }] })

    response.header('Accept-Ranges', 'bytes')
    // Only this person's browser may keep it: it was read with their session.
    response.header('Cache-Control', 'private')
    response.header('X-Content-Type-Options', 'nosniff')
    response.header('Content-Disposition', 'inline')
    const range = parseRange(request.header('range'), media.byteSize)
    if (range === 'unsatisfiable') {
      response.header('Content-Range', `bytes */${media.byteSize}`)
      return response.status(416).send({ errors: [{ code: 'E_RANGE_NOT_SATISFIABLE', message: 'The requested range is not in this recording.' }] })
    }
    const span = range ?? { start: 0, end: media.byteSize - 1 }
    response.header('Content-Type', media.mimeType)
    response.header('Content-Length', String(span.end - span.start + 1))
    if (range) {
      response.status(206)
      response.header('Content-Range', `bytes ${span.start}-${span.end}/${media.byteSize}`)
    }
    if (request.method() === 'HEAD') return response.send('')
    return response.stream(await mediaStore.streamRange(media.storageKey, span))
  }
}
