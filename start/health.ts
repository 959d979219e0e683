import db from '@adonisjs/lucid/services/db'
import { HealthChecks } from '@adonisjs/core/health'
import { DbCheck } from '@adonisjs/lucid/database'
import { redisConnection } from '#config/redis'
import { RedisCheck } from '#health/redis_check'

/** What `GET /health` verifies: the app answers, and so do its database and (when used) Redis. */
export const healthChecks = new HealthChecks().register([
  new DbCheck(db.connection()),
  ...(redisConnection ? [new RedisCheck(redisConnection)] : []),
])
