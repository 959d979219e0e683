import type { XhrLike } from '../../resources/js/messages/media_upload.js'
import type { TimerClock } from '../../resources/js/messages/recording_timer.js'

/* Stand-ins for the browser parts the voice and video message classes are given (unit tests). */

/** An XMLHttpRequest stand-in the test answers by hand. */
export class FakeXhr implements XhrLike {
  status = 0
  responseText = ''
  responseHeaders: Record<string, string> = {}
  upload = { onprogress: null as XhrLike['upload']['onprogress'] }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  ontimeout: (() => void) | null = null
  opened: [string, string] | null = null
  headers: Record<string, string> = {}
  body: unknown = null
  aborted = false
  open(method: string, url: string) {
    this.opened = [method, url]
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name] ?? null
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.aborted = true
    this.onabort?.()
  }
  answer(status: number, body: string, headers: Record<string, string> = {}) {
    this.status = status
    this.responseText = body
    this.responseHeaders = headers
    this.onload?.()
  }
}

/** A clock the test moves by hand, with the timer's interval run on demand. */
export class ManualClock implements TimerClock {
  time = 1000
  runs = new Set<() => void>()
  now() {
    return this.time
  }
  every(run: () => void) {
    this.runs.add(run)
    return () => this.runs.delete(run)
  }
  advance(ms: number) {
    this.time += ms
    for (const run of [...this.runs]) run()
  }
}

