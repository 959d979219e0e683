import type { HttpContext } from '@adonisjs/core/http'
import mediaStore from '#services/media_store'
import { parseRange } from '#helpers/byte_range'

/** A file on the drive disk, as the routes that serve one know it. */
export type StoredFile = { storageKey: string; byteSize: number; mimeType: string }

/**
 * Answers with a stored file the caller was allowed to see (voice/video messages, call
 * recordings): HTTP Range so players can seek, `Cache-Control: private` (it was read with the
 * person's session), 416 for a range outside it, HEAD without the body.
 */
export async function sendStoredFile({ request, response }: HttpContext, file: StoredFile, what = 'recording') {
  response.header('Accept-Ranges', 'bytes')
  response.header('Cache-Control', 'private')
  response.header('X-Content-Type-Options', 'nosniff')
  response.header('Content-Disposition', 'inline')
  const range = parseRange(request.header('range'), file.byteSize)
  if (range === 'unsatisfiable') {
    response.header('Content-Range', `bytes */${file.byteSize}`)
    return response.status(416).send({ errors: [{ code: 'E_RANGE_NOT_SATISFIABLE', message: `The requested range is not in this ${what}.` }] })
  }
  const span = range ?? { start: 0, end: file.byteSize - 1 }
  response.header('Content-Type', file.mimeType)
  response.header('Content-Length', String(span.end - span.start + 1))
  if (range) {
    response.status(206)
    response.header('Content-Range', `bytes ${span.start}-${span.end}/${file.byteSize}`)
  }
  if (request.method() === 'HEAD') return response.send('')
  return response.stream(await mediaStore.streamRange(file.storageKey, span))
}
