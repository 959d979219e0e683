import { randomUUID } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import logger from '@adonisjs/core/services/logger'
import type { ClaimResult, CommandResult, StreamCommand, StreamDirectory, StreamOwner } from '#services/stream_directory'

/*
| The stream directory shared by every instance, in Redis (see StreamDirectory): owners and
| per-person slots as keys, claims and refreshes as Lua scripts so each is atomic, and one
| pub/sub inbox per instance for the commands other instances send to the stream's holder.
*/

const streamKey = (uid: string) => `confab:sse:stream:${uid}`
const userKey = (userId: number) => `confab:sse:user:${userId}`
const inboxKey = (instance: string) => `confab:sse:instance:${instance}`

/*
 * Claim, atomically: refuse a uid held by another person or session, drop the person's expired
 * slots, refuse a new uid past the cap, then write the owner and the slot (score = expiry).
 * KEYS: stream, user. ARGV: owner JSON, userId, sessionId, uid, now, ttl, max.
 */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local owner = cjson.decode(current)
  if tostring(owner.userId) ~= ARGV[2] or owner.sessionId ~= ARGV[3] then return {'taken'} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
if not redis.call('ZSCORE', KEYS[2], ARGV[4]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) then
  return {'full'}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
redis.call('ZADD', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[6]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {'ok', current or ''}
`

/* Release if still ours. KEYS: stream, user. ARGV: token, uid. */
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).token == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
`

/*
 * Refresh if still ours, or write it back if it expired meanwhile (a Redis outage longer than
 * the TTL); answer 0 when a newer stream took the uid over. KEYS: stream, user.
 * ARGV: owner JSON, token, uid, now, ttl.
 */
const REFRESH = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).token ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`

export type Envelope =
  | { kind: 'command'; id: string; from: string; command: StreamCommand }
  | { kind: 'answer'; id: string; result: 'done' | 'gone' }

/** The directory in Redis, and each instance's inbox as a pub/sub channel. */
export class RedisStreamDirectory implements StreamDirectory {
  readonly instanceId = randomUUID()
  #redis: Redis
  #subscriber: Redis
  #inbox: Promise<unknown> | null = null
  #pending = new Map<string, (result: 'done' | 'gone') => void>()
  #handler: ((command: StreamCommand) => Promise<'done' | 'gone'>) | null = null

  constructor(
    options: RedisOptions,
    readonly ttlMs = 45_000
  ) {
    // Commands fail within ~2 s while Redis is away (the request then answers 503) instead of
    // queueing for as long as ioredis retries; the subscriber reconnects and resubscribes alone.
    this.#redis = new Redis({ ...options, commandTimeout: 2000, maxRetriesPerRequest: 1 })
    this.#subscriber = new Redis(options)
    // Failures surface where the commands fail (503 answers, logged errors), not as unhandled events.
    this.#redis.on('error', () => {})
    this.#subscriber.on('error', () => {})
    this.#subscriber.on('message', (_channel: string, raw: string) => {
      this.#receive(raw).catch((error) => logger.error({ err: error }, 'SSE inbox message failed'))
    })
    void this.#listening().catch(() => {})
  }

  /**
   * Resolves once this instance's inbox is subscribed. Claims wait for it: a stream must not be
   * registered here before the commands for it can arrive. A failed attempt (Redis away at boot)
   * is retried by the next caller; ioredis resubscribes by itself after later reconnects.
   */
  #listening() {
    this.#inbox ??= this.#subscriber.subscribe(inboxKey(this.instanceId)).catch((error) => {
      this.#inbox = null
      throw error
    })
    return this.#inbox
  }

  async claim(uid: string, owner: StreamOwner, max: number): Promise<ClaimResult> {
    await this.#listening()
    const [status, previous] = (await this.#redis.eval(
      CLAIM,
      2,
      streamKey(uid),
      userKey(owner.userId),
      JSON.stringify(owner),
      String(owner.userId),
      owner.sessionId,
      uid,
      String(Date.now()),
      String(this.ttlMs),
      String(max)
    )) as [string, string?]
    if (status === 'taken' || status === 'full') return { status }
    return { status: 'ok', previous: previous ? (JSON.parse(previous) as StreamOwner) : null }
  }

  async release(uid: string, token: string) {
    const owner = await this.ownerOf(uid)
    if (!owner) return
    await this.#redis.eval(RELEASE, 2, streamKey(uid), userKey(owner.userId), token, uid)
  }

  async refresh(streams: Array<{ uid: string; owner: StreamOwner }>) {
    if (streams.length === 0) return []
    const now = String(Date.now())
    const pipeline = this.#redis.pipeline()
    for (const { uid, owner } of streams) {
      pipeline.eval(REFRESH, 2, streamKey(uid), userKey(owner.userId), JSON.stringify(owner), owner.token, uid, now, String(this.ttlMs))
    }
    const results = (await pipeline.exec()) ?? []
    return streams.filter((_, index) => results[index]?.[1] === 0).map(({ uid }) => uid)
  }

  async ownerOf(uid: string) {
    const raw = await this.#redis.get(streamKey(uid))
    return raw ? (JSON.parse(raw) as StreamOwner) : null
  }

  async streamsOf(userId: number) {
    const uids = await this.#redis.zrangebyscore(userKey(userId), Date.now(), '+inf')
    if (uids.length === 0) return []
    const owners = await this.#redis.mget(uids.map(streamKey))
    return uids.flatMap((uid, index) => (owners[index] ? [{ uid, owner: JSON.parse(owners[index]) as StreamOwner }] : []))
  }

  async send(instance: string, command: StreamCommand, timeoutMs: number): Promise<CommandResult> {
    // Without our inbox the holder's answer could not reach us.
    if (!(await this.#listening().then(() => true, () => false))) return 'unreachable'
    const id = randomUUID()
    const answer = new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        resolve('unreachable')
      }, timeoutMs)
      this.#pending.set(id, (result) => {
        clearTimeout(timer)
        this.#pending.delete(id)
        resolve(result)
      })
    })
    const envelope: Envelope = { kind: 'command', id, from: this.instanceId, command }
    const listeners = await this.#redis.publish(inboxKey(instance), JSON.stringify(envelope)).catch(() => 0)
    if (listeners === 0) {
      // Nobody listens on that inbox (the holder is gone, or Redis is): no use waiting.
      this.#pending.get(id)?.('gone')
      await answer
      return 'unreachable'
    }
    return answer
  }

  onCommand(handler: (command: StreamCommand) => Promise<'done' | 'gone'>) {
    this.#handler = handler
  }

  async close() {
    for (const resolve of this.#pending.values()) resolve('gone')
    await this.#redis.quit().catch(() => this.#redis.disconnect())
    this.#subscriber.disconnect()
  }

  async #receive(raw: string) {
    // Anything can be published on a Redis channel: only a well-formed envelope is acted on.
    const envelope = parseEnvelope(raw)
    if (!envelope) return
    if (envelope.kind === 'answer') return this.#pending.get(envelope.id)?.(envelope.result)
    if (!this.#handler) return
    const result = await this.#handler(envelope.command).catch(() => 'gone' as const)
    const reply: Envelope = { kind: 'answer', id: envelope.id, result }
    await this.#redis.publish(inboxKey(envelope.from), JSON.stringify(reply)).catch(() => {})
  }
}

/** An inbox message, or null for anything else (bad JSON, null, a missing or odd field). */
export function parseEnvelope(raw: string): Envelope | null {
  let value: any
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || typeof value.id !== 'string') return null
  if (value.kind === 'answer') return value.result === 'done' || value.result === 'gone' ? value : null
  if (value.kind !== 'command' || typeof value.from !== 'string') return null
  const command = value.command
  if (typeof command !== 'object' || command === null || typeof command.uid !== 'string') return null
  if ((command.op === 'subscribe' || command.op === 'unsubscribe') && typeof command.channel === 'string') return value
  if (command.op === 'close' && typeof command.token === 'string') return value
  return null
}
