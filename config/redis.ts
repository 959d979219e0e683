import env from '#start/env'
import type { RedisOptions } from 'ioredis'

/**
 * Redis is off unless REDIS_URL (or REDIS_HOST) is set: a single Confab process needs nothing
 * else. With it, every cross-instance path goes through Redis (see docs/deploy.md).
 */
function connection(): RedisOptions | null {
  const url = env.get('REDIS_URL')
  if (url) {
    const parsed = new URL(url)
    return {
      host: parsed.hostname,
      port: Number(parsed.port || 6379),
      username: parsed.username || undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
      tls: parsed.protocol === 'rediss:' ? {} : undefined,
    }
  }
  const host = env.get('REDIS_HOST')
  if (host) return { host, port: env.get('REDIS_PORT', 6379), password: env.get('REDIS_PASSWORD') }
  return null
}

export const redisConnection = connection()
