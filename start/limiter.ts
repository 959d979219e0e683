/*
| Request rate limits for routes (throttle middleware). The login limits are in
| app/services/login_throttle.ts: they count failures, not requests.
*/
import limiter from '@adonisjs/limiter/services/main'
import type { errors } from '@adonisjs/limiter'
import { limits } from '#config/limiter'
import mediaMessagesConfig from '#config/media_messages'
import { recordRefusal, type LimitName } from '#metrics/limit_metrics'

type ThrottleException = InstanceType<typeof errors.E_TOO_MANY_REQUESTS>

/** A message that says what was refused and when to try again; each refusal is counted in the metrics. */
function explain(limit: LimitName, what: string) {
  return (error: ThrottleException) => {
    recordRefusal(limit)
    error.setMessage(`You are ${what} too quickly. Try again in ${error.response.availableIn} seconds.`)
  }
}

/** Posting messages, per person. */
export const throttleMessages = limiter.define('messages', (ctx) =>
  limiter
    .allowRequests(limits.messagesPerMinute)
    .every('1 min')
    .usingKey(`user_${ctx.auth.getUserOrFail().id}`)
    .limitExceeded(explain('messages', 'posting messages'))
)

/** Creating channels, per person. */
export const throttleChannels = limiter.define('channels', (ctx) =>
  limiter
    .allowRequests(limits.channelsPerHour)
    .every('1 hour')
    .usingKey(`user_${ctx.auth.getUserOrFail().id}`)
    .limitExceeded(explain('channels', 'creating channels'))
)

/** Signing up, per IP (see TRUSTED_PROXIES: behind a proxy, the client's IP). */
export const throttleSignups = limiter.define('signups', (ctx) =>
  limiter
    .allowRequests(limits.signupsPerHour)
    .every('1 hour')
    .usingKey(`ip_${ctx.request.ip()}`)
    .limitExceeded(explain('signups', 'creating accounts'))
)

/** Call quality reports from the browsers, per person (all their tabs and calls together). */
export const throttleQualityReports = limiter.define('quality_reports', (ctx) =>
  limiter
    .allowRequests(limits.qualityReportsPerMinute)
    .every('1 min')
    .usingKey(`user_${ctx.auth.getUserOrFail().id}`)
    .limitExceeded(explain('quality_reports', 'sending call quality reports'))
)

/** Voice and video uploads, per person (read at each request: config/media_messages.ts). */
export const throttleMediaMessages = limiter.define('media_messages', (ctx) =>
  limiter
    .allowRequests(mediaMessagesConfig.perMinute)
    .every('1 min')
    .usingKey(`user_${ctx.auth.getUserOrFail().id}`)
    .limitExceeded(explain('media_messages', 'sending voice and video messages'))
)
