import { Redis, type RedisOptions } from 'ioredis'
import app from '@adonisjs/core/services/app'
import string from '@adonisjs/core/helpers/string'
import { MessageBuilder } from '@adonisjs/core/helpers'
import type { SessionData, SessionStoreFactory, SessionStoreWithTaggingContract, TaggedSession } from '@adonisjs/session/types'

/** The session key holding when this session last made a request (epoch ms). */
export const LAST_SEEN_KEY = 'lastSeenAt'
/** How often a signed-in session records activity (and so slides its expiry). */
export const ACTIVITY_INTERVAL_MS = 60_000

/**
 * Sessions in Redis, with the per-user tag sets the account page needs. @adonisjs/session's
 * own Redis store wants @adonisjs/redis (a provider, its own config file and a second Redis
 * client manager) only to hand it a connection; ioredis is already here for the call bus and
 * Transmit, so this store talks to it directly with the same key layout and data format.
 */
export class RedisSessionStore implements SessionStoreWithTaggingContract {
  #ttlSeconds: number

  constructor(
    private redis: Redis,
    age: string | number
  ) {
    this.#ttlSeconds = string.seconds.parse(age)
  }

  #key(sessionId: string) {
    return `session:${sessionId}`
  }

  #tagKey(userId: string | number) {
    return `session_tag:${userId}`
  }

  #parse(contents: string | null, sessionId: string): SessionData | null {
    if (!contents) return null
    try {
      return new MessageBuilder().verify(contents, sessionId)
    } catch {
      return null
    }
  }

  async read(sessionId: string) {
    return this.#parse(await this.redis.get(this.#key(sessionId)), sessionId)
  }

  async write(sessionId: string, values: Object) {
    const message = new MessageBuilder().build(values, undefined, sessionId)
    await this.redis.setex(this.#key(sessionId), this.#ttlSeconds, message)
  }

  async destroy(sessionId: string) {
    await this.redis.del(this.#key(sessionId))
  }

  async touch(sessionId: string) {
    await this.redis.expire(this.#key(sessionId), this.#ttlSeconds)
  }

  /** The tag set lives as long as the newest session in it (ids of expired ones go at the next tagged()). */
  async tag(sessionId: string, userId: string | number) {
    await this.redis.multi().sadd(this.#tagKey(userId), sessionId).expire(this.#tagKey(userId), this.#ttlSeconds).exec()
  }

  async untag(sessionId: string, userId: string | number) {
    await this.redis.srem(this.#tagKey(userId), sessionId)
  }

  /** The user's live sessions; ids whose session expired or was destroyed leave the tag set. */
  async tagged(userId: string): Promise<TaggedSession[]> {
    const ids = await this.redis.smembers(this.#tagKey(userId))
    if (ids.length === 0) return []
    const contents = await this.redis.mget(ids.map((id) => this.#key(id)))
    const live: TaggedSession[] = []
    const gone: string[] = []
    ids.forEach((id, index) => {
      const data = this.#parse(contents[index] ?? null, id)
      if (data) live.push({ id, data })
      else gone.push(id)
    })
    if (gone.length) await this.redis.srem(this.#tagKey(userId), ...gone)
    return live
  }
}

let redisClient: Redis | undefined

/** A session store factory backed by one shared ioredis connection, made on first use. */
export function redisSessionStore(options: RedisOptions | null): SessionStoreFactory {
  return (_ctx, config) => {
    if (!options) throw new Error('SESSION_DRIVER=redis needs REDIS_URL (or REDIS_HOST)')
    if (!redisClient) {
      redisClient = new Redis({ ...options, maxRetriesPerRequest: 2 })
      app.terminating(closeRedisSessions)
    }
    return new RedisSessionStore(redisClient, config.age)
  }
}

/** Closes the Redis session connection (graceful shutdown). */
export async function closeRedisSessions() {
  await redisClient?.quit().catch(() => {})
  redisClient = undefined
}

/** The session key of a signed-in person (the `web` guard's). */
const SIGNED_IN_KEY = 'auth_web'

/**
 * Wraps a store so that a signed-in session does not rewrite its expiry on every request: the
 * session middleware "touches" the store after each request that changed nothing, one UPDATE
 * per page view on the database store. A session that recorded activity less than a minute ago
 * skips it; the activity write itself (at most once a minute) slides the expiry instead.
 *
 * Signed-out sessions (a visitor, a bot, a load balancer's probe: anything without a cookie gets
 * one, for Shield's CSRF secret) are kept only `guestAge`: with the full age, every cookieless
 * request would leave a row (or key) behind for a week, and anyone could grow the store at will.
 */
export function touchingOnlyWhenIdle(factory: SessionStoreFactory, guestAge: string): SessionStoreFactory {
  return (ctx, config) => {
    // Every store this app uses supports tagging (the account page needs it).
    const store = factory(ctx, config) as SessionStoreWithTaggingContract
    const guestStore = factory(ctx, { ...config, age: guestAge }) as SessionStoreWithTaggingContract
    const storeFor = (values: Object | null) => (values && SIGNED_IN_KEY in values ? store : guestStore)
    let lastSeenAt = 0
    let lastRead: SessionData | null = null
    const wrapped: SessionStoreWithTaggingContract = {
      async read(sessionId) {
        const data = await store.read(sessionId)
        lastRead = data
        lastSeenAt = Number(data?.[LAST_SEEN_KEY] ?? 0)
        return data
      },
      async touch(sessionId) {
        if (Date.now() - lastSeenAt < ACTIVITY_INTERVAL_MS) return
        await storeFor(lastRead).touch(sessionId)
      },
      write: (sessionId, values) => storeFor(values).write(sessionId, values),
      destroy: (sessionId) => store.destroy(sessionId),
      tag: (sessionId, userId) => store.tag(sessionId, userId),
      untag: (sessionId, userId) => store.untag(sessionId, userId),
      tagged: (userId) => store.tagged(userId),
    }
    return wrapped
  }
}
