import type { HttpContext } from '@adonisjs/core/http'
import liveStreams, { type SubscriptionResult } from '#services/live_streams'
import { recordRefusal } from '#metrics/limit_metrics'

/**
 * Transmit's three routes (the browser client calls them by these fixed paths), answered by
 * Confab so that a stream belongs to its owner and any instance can serve any of them. The
 * transmitRequest middleware has already checked the session and validated the input.
 */
export default class LiveStreamsController {
  /** GET /__transmit/events?uid=…: opens the caller's SSE stream. */
  async open(ctx: HttpContext) {
    const result = await liveStreams.open(ctx, ctx.request.input('uid'))
    if (result.status === 'taken') {
      return ctx.response.conflict({ errors: [{ message: 'This stream id belongs to another session' }] })
    }
    if (result.status === 'full') {
      recordRefusal('sse_streams')
      ctx.response.header('Retry-After', String(result.retryAfterSeconds))
      return ctx.response.tooManyRequests({
        errors: [{ message: 'Too many live streams open for your account: close another tab or window' }],
      })
    }
    if (result.status === 'unavailable') {
      return ctx.response.serviceUnavailable({ errors: [{ message: 'Live updates are unavailable for a moment: retry' }] })
    }
  }

  /** POST /__transmit/subscribe { uid, channel }. */
  async subscribe(ctx: HttpContext) {
    const { uid, channel } = ctx.request.only(['uid', 'channel'])
    return answer(ctx, await liveStreams.subscribe(ctx, uid, channel))
  }

  /** POST /__transmit/unsubscribe { uid, channel }. */
  async unsubscribe(ctx: HttpContext) {
    const { uid, channel } = ctx.request.only(['uid', 'channel'])
    return answer(ctx, await liveStreams.unsubscribe(ctx, uid, channel))
  }
}

function answer({ response }: HttpContext, result: SubscriptionResult) {
  switch (result) {
    case 'done':
      return response.noContent()
    case 'denied':
      // 400 as Transmit itself answers a refused channel; the client only checks `ok`.
      return response.badRequest({ errors: [{ message: 'You may not subscribe to this channel' }] })
    case 'not_found':
      return response.notFound({ errors: [{ message: 'No open stream with this id in your session' }] })
    case 'unreachable':
      return response.serviceUnavailable({
        errors: [{ message: 'The server holding this stream did not answer in time: retry' }],
      })
  }
}
