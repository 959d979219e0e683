import { Emitter } from '../calls/emitter.js'

/** The part of XMLHttpRequest an upload uses (fetch cannot report upload progress). */
export type XhrLike = {
  readonly status: number
  readonly responseText: string
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null }
  onload: (() => void) | null
  onerror: (() => void) | null
  onabort: (() => void) | null
  ontimeout: (() => void) | null
  open(method: string, url: string): void
  setRequestHeader(name: string, value: string): void
  getResponseHeader(name: string): string | null
  send(body: unknown): void
  abort(): void
}

/** How an upload ended: the message's fragment, or why not (`aborted` says nothing to the person). */
export type UploadResult =
  | { ok: true; id: number; html: string }
  | { ok: false; reason: 'refused' | 'network' | 'aborted'; status: number; message: string }

type UploadEvents = { progress: { loaded: number; total: number } }

const FALLBACKS: Record<number, string> = {
  413: 'This recording is too large to send.',
  422: 'This recording could not be sent.',
}

/**
 * Sends a recording as multipart form data with XMLHttpRequest, for its upload progress. One
 * upload per instance; `abort()` cancels it (the server then keeps nothing). Answers are
 * mapped to words: the server's own message when it sent one (413 too large, 429 too often,
 * 422 refused bytes), else a sentence of ours.
 */
export class MediaUpload extends Emitter<UploadEvents> {
  #xhr: XhrLike | null = null

  constructor(private createXhr: () => XhrLike = () => new XMLHttpRequest() as unknown as XhrLike) {
    super()
  }

  send(url: string, body: FormData, headers: Record<string, string>): Promise<UploadResult> {
    if (this.#xhr) throw new Error('MediaUpload sends once')
    const xhr = (this.#xhr = this.createXhr())
    return new Promise((resolve) => {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) this.emit('progress', { loaded: event.loaded, total: event.total })
      }
      xhr.onload = () => resolve(answered(xhr))
      xhr.onerror = xhr.ontimeout = () =>
        resolve({ ok: false, reason: 'network', status: 0, message: 'The connection failed before your recording was sent. Please try again.' })
      xhr.onabort = () => resolve({ ok: false, reason: 'aborted', status: 0, message: '' })
      xhr.open('POST', url)
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
      xhr.send(body)
    })
  }

  /** Cancels the upload under way, if any. */
  abort() {
    this.#xhr?.abort()
  }
}

function answered(xhr: XhrLike): UploadResult {
  const id = /id="message-(\d+)"/.exec(xhr.responseText)?.[1]
  if (xhr.status >= 200 && xhr.status < 300 && id) return { ok: true, id: Number(id), html: xhr.responseText }
  const message = serverMessage(xhr.responseText) ?? fallback(xhr)
  return { ok: false, reason: 'refused', status: xhr.status, message }
}

/** `errors[0].message` of a JSON error body, or null. */
function serverMessage(body: string): string | null {
  try {
    const message = JSON.parse(body)?.errors?.[0]?.message
    return typeof message === 'string' && message ? message : null
  } catch {
    return null
  }
}

function fallback(xhr: XhrLike) {
  if (xhr.status === 429) {
    const seconds = Number(xhr.getResponseHeader('Retry-After'))
    return seconds > 0 ? `You are sending recordings too quickly. Try again in ${seconds} seconds.` : 'You are sending recordings too quickly. Try again later.'
  }
  return FALLBACKS[xhr.status] ?? 'Your recording could not be sent. Please try again.'
}
