import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'

/**
 * Rate-limit counters live in the database by default so they hold across restarts and
 * instances; the memory store is there for a throwaway setup.
 */
const limiterConfig = defineConfig({
  default: env.get('LIMITER_STORE', 'database'),
  stores: {
    database: stores.database({ tableName: 'rate_limits' }),
    memory: stores.memory({}),
  },
})

export default limiterConfig

/** Confab's own limits (docs/chat.md, "Login limits" and "Request limits"), each set through the environment. */
export const limits = {
  /** Failed logins from one IP for one account before each further failure adds a growing wait. */
  loginFreeFailures: env.get('LOGIN_MAX_ATTEMPTS') ?? 5,
  /** The first wait after those failures, in seconds; it doubles with each failure, up to an hour. */
  loginBackoffSeconds: env.get('LOGIN_BACKOFF_SECONDS') ?? 30,
  loginBackoffMaxSeconds: 3600,
  /** Failed logins from one IP, whatever the accounts, within 15 minutes before it waits 15 minutes. */
  loginFailuresPerIp: env.get('LOGIN_MAX_FAILURES_PER_IP') ?? 30,
  /** Messages one person may post per minute. */
  messagesPerMinute: env.get('MESSAGES_PER_MINUTE') ?? 60,
  /** Channels one person may create per hour. */
  channelsPerHour: env.get('CHANNELS_PER_HOUR') ?? 20,
  /** Accounts one IP may sign up per hour. */
  signupsPerHour: env.get('SIGNUPS_PER_HOUR') ?? 10,
  /** Call quality reports one person may send per minute (a page reports every 30 s per peer). */
  qualityReportsPerMinute: env.get('CALL_QUALITY_REPORTS_PER_MINUTE') ?? 60,
}

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
