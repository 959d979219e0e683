import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * `GET /__transmit/events`: opens a page's SSE stream, as Transmit's own controller does, except
 * for what the stream keeps. Transmit holds on to the context it is given until the stream
 * closes, to pass it to `connect`/`disconnect` listeners; given the request's HttpContext, every
 * open tab would keep its session, CSRF guard, renderer and request objects alive (with the
 * same fix in PublicFilesMiddleware, ~5 KB of heap per idle subscriber: bench/benchmarks/ring.ts).
 * Confab's listeners only read the uid, so the stream gets an empty context. Subscribing, where
 * authorization happens, still sees the full one.
 */
export default class EventStreamsController {
  handle({ request, response }: HttpContext) {
    transmit.createStream({
      uid: request.input('uid'),
      context: {} as HttpContext,
      request: request.request,
      response: response.response,
      injectResponseHeaders: response.getHeaders(),
    })
    // The stream has sent its headers, so AdonisJS leaves the response open for it.
  }
}
