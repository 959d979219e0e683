import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import type { OpusHead } from '#media/opus'
import { mediaTooLargeText } from '#helpers/media_text'
import { recordMediaRefused } from '#metrics/media_metrics'

/** What a container walk found: its tracks, its length, and the voice's Opus packets. */
export type ContainerReport = {
  container: 'webm' | 'ogg'
  audioTracks: number
  videoTracks: number
  otherTracks: number
  durationMs: number
  /** The audio track's header and, when asked for, its packets in order. */
  opus: { head: OpusHead; packets: Uint8Array[] } | null
}

/**
 * Why a recording is refused, in words the composer shows as they are. Every one is a 422 except
 * `tooLarge` (413): the bytes were read and judged, and the same bytes would be judged the same.
 */
export class MediaProblem extends Exception {
  constructor(code: string, message: string, status = 422) {
    super(message, { code, status })
  }

  /** Always JSON (the composer's upload is a script), `{ errors: [{ code, message }] }` as docs/api.md. */
  async handle(error: this, ctx: HttpContext) {
    recordMediaRefused(error.code)
    // A refused upload may still be streaming in: close the connection after answering, rather
    // than read the rest of it to keep the connection alive.
    if (error.status === 413) ctx.response.header('Connection', 'close')
    return ctx.response.status(error.status).send({ errors: [{ code: error.code, message: error.message }] })
  }

  static empty() {
    return new MediaProblem('E_MEDIA_EMPTY', 'The recording is empty. Record again and send it.')
  }

  static missing() {
    return new MediaProblem('E_MEDIA_MISSING', 'No recording came with the message. Record again and send it.')
  }

  static notMedia() {
    return new MediaProblem('E_MEDIA_TYPE', 'This file is not an audio or video recording Confab can play (WebM or Ogg).')
  }

  static corrupt() {
    return new MediaProblem('E_MEDIA_CORRUPT', 'This recording is damaged and cannot be played. Record again and send it.')
  }

  static truncated() {
    return new MediaProblem('E_MEDIA_TRUNCATED', 'This recording is incomplete (the file ends early). Record again and send it.')
  }

  static unsupported(what: string) {
    return new MediaProblem('E_MEDIA_UNSUPPORTED', `Confab cannot play recordings with ${what}. Record again in this browser's default format.`)
  }

  static notVoice() {
    return new MediaProblem('E_MEDIA_NOT_VOICE', 'A voice message must be a recording with one audio track and no video.')
  }

  static notVideo() {
    return new MediaProblem('E_MEDIA_NOT_VIDEO', 'A video message must be a recording with a video track.')
  }

  static tooLong(kind: 'voice' | 'video', maxSeconds: number) {
    const limit = maxSeconds % 60 === 0 ? `${maxSeconds / 60} min` : `${maxSeconds} s`
    return new MediaProblem('E_MEDIA_TOO_LONG', `A ${kind} message can be at most ${limit} long.`)
  }

  static aborted() {
    return new MediaProblem('E_UPLOAD_ABORTED', 'The upload was interrupted before the whole recording arrived.', 400)
  }

  static wrongKind() {
    return new MediaProblem('E_MEDIA_KIND', 'Say whether this is a voice or a video message (kind: voice or video).')
  }

  static tooShort() {
    return new MediaProblem('E_MEDIA_EMPTY', 'The recording has no sound or picture in it. Record again and send it.')
  }

  static tooLarge(kind: 'voice' | 'video', maxBytes: number) {
    return new MediaProblem('E_MEDIA_TOO_LARGE', mediaTooLargeText(kind, maxBytes), 413)
  }
}
