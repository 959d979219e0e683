import { Redis, type RedisOptions } from 'ioredis'
import { BaseCheck, Result } from '@adonisjs/core/health'

/** `GET /health`: Redis answers a PING (checked only when Redis is configured). */
export class RedisCheck extends BaseCheck {
  name = 'Redis health check'

  constructor(private options: RedisOptions) {
    super()
  }

  async run() {
    const client = new Redis({ ...this.options, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => {})
    try {
      await client.connect()
      const answer = await client.ping()
      return Result.ok(`Redis answered ${answer}`)
    } catch (error) {
      return Result.failed('Redis is unreachable', error as Error)
    } finally {
      client.disconnect()
    }
  }
}
