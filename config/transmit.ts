import { defineConfig } from '@adonisjs/transmit'
import { redis } from '@adonisjs/transmit/transports/redis'
import { redisConnection } from '#config/redis'

/**
 * Server-Sent Events. The ping keeps idle connections alive through proxies that close silent
 * streams. With Redis configured, broadcasts go through it, so a ring sent by one instance
 * reaches a browser connected to another.
 */
export default defineConfig({
  pingInterval: '30s',
  transport: redisConnection ? { driver: redis(redisConnection) } : null,
})
