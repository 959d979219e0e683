import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { HttpRequest } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { MediaProblem } from '#media/container_report'
import type { MediaKind } from '#config/media_messages'

/** The cap a part is held to while it streams in, by what it claims to be (see receiveUpload). */
export type StreamingCap = { kind: MediaKind; maxBytes: number }

/** Room for the multipart boundaries and the `kind` field around the file. */
const ENVELOPE_BYTES = 64 * 1024

/** An upload written to a temp file; `discard()` removes it (safe to call twice). */
export type ReceivedUpload = { fields: Record<string, unknown>; path: string | null; bytes: number; discard: () => Promise<void> }

/** Where uploads are written while they stream in (tmp/uploads, never served). */
export const uploadsTmpDir = () => app.tmpPath('uploads')

/**
 * Streams the `media` part of a multipart request to a temp file, counting bytes as they come:
 * past `capFor(part's Content-Type)` the upload is cut off with 413 at once, nothing is held in
 * memory. The part's claimed type only lowers that cap (a claimed audio/* part is held to the
 * voice cap while streaming); what the file is, and its kind's own cap, are judged afterwards
 * from the bytes and the `kind` field (the browser's FormData may put `kind` after the file). The
 * route's multipart body is not parsed by the bodyparser (config/bodyparser.ts: autoProcess is
 * off), so nothing else reads it first. However it ends (done, refused, or the client gone
 * mid-way), the caller's `discard()` leaves no temp file behind.
 */
export async function receiveUpload(request: HttpRequest, largest: StreamingCap, capFor: (contentType: string) => StreamingCap): Promise<ReceivedUpload> {
  // Only a multipart body carries a file (the bodyparser gives other bodies no multipart reader).
  if (!request.multipart) throw MediaProblem.missing()
  const totalLimit = largest.maxBytes
  const declared = Number(request.header('content-length'))
  if (Number.isFinite(declared) && declared > totalLimit + ENVELOPE_BYTES) throw MediaProblem.tooLarge(largest.kind, totalLimit)

  const directory = uploadsTmpDir()
  await mkdir(directory, { recursive: true })
  const path = join(directory, `${crypto.randomUUID()}.upload`)
  let written = 0
  let writing: Promise<void> | null = null
  let part: NodeJS.ReadableStream & { destroy?: (error?: Error) => void } | null = null
  let refusal: MediaProblem | null = null

  const discard = async () => {
    part?.destroy?.()
    await writing?.catch(() => {})
    await rm(path, { force: true })
  }

  request.multipart.onFile('media', {}, async (filePart) => {
    // One recording per message: a second `media` part is read past and dropped.
    if (part) {
      filePart.resume()
      return
    }
    part = filePart
    const cap = capFor(String(filePart.headers['content-type'] ?? ''))
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        written += chunk.length
        if (written > cap.maxBytes) {
          refusal = MediaProblem.tooLarge(cap.kind, cap.maxBytes)
          done(refusal)
          return
        }
        done(null, chunk)
      },
    })
    writing = pipeline(filePart, counter, createWriteStream(path, { flags: 'wx' }))
    try {
      await writing
    } catch (error) {
      request.multipart.abort(refusal ?? (error as Error))
      throw error
    }
  })

  try {
    await request.multipart.process({ limit: totalLimit + ENVELOPE_BYTES })
  } catch (error) {
    await discard()
    if (refusal) throw refusal
    if ((error as { code?: string }).code === 'E_REQUEST_ENTITY_TOO_LARGE') throw MediaProblem.tooLarge(largest.kind, totalLimit)
    // The client went away mid-upload: nobody reads the answer, and it is no server error.
    if (request.request.destroyed || request.request.readableAborted) throw MediaProblem.aborted()
    throw error
  }
  return { fields: request.all(), path: part ? path : null, bytes: written, discard }
}
