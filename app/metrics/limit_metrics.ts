import { counter } from '#metrics/registry'

/**
 * Every limit Confab enforces by refusing: the HTTP throttles (start/limiter.ts, call starts),
 * the login throttle (a wait, not a password check), the cap on SSE streams per person, and
 * the call socket's frame limits (after and before its welcome).
 */
export const LIMITS = [
  'messages',
  'media_messages',
  'channels',
  'signups',
  'quality_reports',
  'call_starts',
  'login',
  'sse_streams',
  'call_frames',
  'call_early_frames',
] as const
export type LimitName = (typeof LIMITS)[number]

const refusals = counter({
  name: 'confab_rate_limit_refusals_total',
  help: 'Requests, streams or frames refused by a rate limit or cap, by limit',
  labelNames: ['limit'],
})
for (const limit of LIMITS) refusals.inc({ limit }, 0)

/** One refusal by `limit`. */
export function recordRefusal(limit: LimitName) {
  refusals.inc({ limit })
}
