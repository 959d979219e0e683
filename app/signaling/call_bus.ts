import { randomUUID } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import logger from '@adonisjs/core/services/logger'
import type { MediaState } from '#signaling/protocol'
import type { LeaveReason } from '#actions/calls/call_change'

/** Where a person's call socket lives, as every instance can see it. */
export type PresenceEntry = MediaState & {
  instance: string
  name: string
  peerId: string | null
  connected: boolean
  /** When their hand went up (ms); absent from entries written before hands existed. */
  handRaisedAt?: number | null
  /** Last time the owning instance vouched for the socket (ms). */
  seenAt: number
}

/** What a committed call transition did to the call's sockets: who left and why, or the end. */
export type SyncNotice = {
  left: Array<{ userId: number; reason: LeaveReason }>
  ended: { endedBy: number | null; reason: string | null } | null
}

export type BusMessage = { origin: string } & (
  | { kind: 'frame'; to?: number; except?: number; payload: string }
  | { kind: 'replace'; userId: number }
  | ({ kind: 'sync' } & SyncNotice)
  /** A sign-in ended: the person's sockets opened with it close (app/signaling/socket_revocations.ts). */
  | { kind: 'token_revoked'; userId: number; tokenId: number }
  | { kind: 'sessions_revoked'; userId: number; sessionIds: string[] }
  /** The initiator lowered `userId`'s hand: the instance holding that member applies it. */
  | { kind: 'hand'; userId: number; by: number }
)

/**
 * What the call hub shares with the other Confab instances. `LocalBus` (no Redis) shares
 * nothing: one process holds every socket. `RedisBus` keeps a presence hash per call (who is
 * connected on which instance) and a pub/sub channel per call, subscribed only while this
 * instance holds a socket of that call. Messages of one instance arrive in the order it sent
 * them (one publishing connection), so a sender's frames stay in order.
 */
export interface CallBus {
  readonly instanceId: string
  readonly shared: boolean
  join(callId: number, onMessage: (message: BusMessage) => void): Promise<void>
  leave(callId: number): Promise<void>
  publish(callId: number, message: BusMessage): Promise<void>
  presence(callId: number): Promise<Map<number, PresenceEntry>>
  presenceOf(callId: number, userId: number): Promise<PresenceEntry | null>
  setPresence(callId: number, userId: number, entry: PresenceEntry): Promise<void>
  removePresence(callId: number, userId: number): Promise<void>
  close(): Promise<void>
}

export class LocalBus implements CallBus {
  readonly instanceId = randomUUID()
  readonly shared = false
  async join() {}
  async leave() {}
  async publish() {}
  async presence() {
    return new Map<number, PresenceEntry>()
  }
  async presenceOf() {
    return null
  }
  async setPresence() {}
  async removePresence() {}
  async close() {}
}

/** A bus message, or null when `raw` is not one (not JSON, or not the shape of a BusMessage). */
export function parseBusMessage(raw: string): BusMessage | null {
  let value: any
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || typeof value.origin !== 'string') return null
  const optionalId = (id: unknown) => id === undefined || Number.isInteger(id)
  switch (value.kind) {
    case 'frame':
      return typeof value.payload === 'string' && optionalId(value.to) && optionalId(value.except) ? value : null
    case 'replace':
      return Number.isInteger(value.userId) ? value : null
    case 'sync':
      return isSyncNotice(value) ? value : null
    case 'token_revoked':
      return Number.isInteger(value.userId) && Number.isInteger(value.tokenId) ? value : null
    case 'sessions_revoked':
      return Number.isInteger(value.userId) && Array.isArray(value.sessionIds) && value.sessionIds.every((id: unknown) => typeof id === 'string')
        ? value
        : null
    case 'hand':
      return Number.isInteger(value.userId) && Number.isInteger(value.by) ? value : null
    default:
      return null
  }
}

const LEAVE_REASONS = new Set(['left', 'timeout', 'left_channel'])

function isSyncNotice(value: any): boolean {
  const ended = value.ended
  const endedOk =
    ended === null ||
    (typeof ended === 'object' &&
      (ended.endedBy === null || Number.isInteger(ended.endedBy)) &&
      (ended.reason === null || typeof ended.reason === 'string'))
  const leftOk =
    Array.isArray(value.left) &&
    value.left.every((entry: any) => entry && Number.isInteger(entry.userId) && LEAVE_REASONS.has(entry.reason))
  return endedOk && leftOk
}

const presenceKey = (callId: number) => `confab:call:${callId}:presence`
const channelKey = (callId: number) => `confab:call:${callId}`

export class RedisBus implements CallBus {
  readonly instanceId = randomUUID()
  readonly shared = true
  #publisher: Redis
  #subscriber: Redis
  #handlers = new Map<string, (message: BusMessage) => void>()

  constructor(options: RedisOptions) {
    this.#publisher = new Redis({ ...options, lazyConnect: true })
    this.#subscriber = new Redis({ ...options, lazyConnect: true })
    // Whatever arrives on a call channel (another version's message, a stray PUBLISH) must not
    // throw inside ioredis's reader: that would stop this instance hearing any call at all.
    this.#subscriber.on('message', (channel: string, raw: string) => {
      const message = parseBusMessage(raw)
      if (!message) return logger.warn({ channel, raw: String(raw).slice(0, 200) }, 'malformed call bus message ignored')
      if (message.origin === this.instanceId) return
      try {
        this.#handlers.get(channel)?.(message)
      } catch (error) {
        logger.error({ err: error, channel }, 'call bus message failed')
      }
    })
  }

  async join(callId: number, onMessage: (message: BusMessage) => void) {
    this.#handlers.set(channelKey(callId), onMessage)
    await this.#subscriber.subscribe(channelKey(callId))
  }

  async leave(callId: number) {
    this.#handlers.delete(channelKey(callId))
    await this.#subscriber.unsubscribe(channelKey(callId))
  }

  async publish(callId: number, message: BusMessage) {
    await this.#publisher.publish(channelKey(callId), JSON.stringify(message))
  }

  async presence(callId: number) {
    const entries = await this.#publisher.hgetall(presenceKey(callId))
    return new Map(Object.entries(entries).map(([userId, raw]) => [Number(userId), JSON.parse(raw) as PresenceEntry]))
  }

  async presenceOf(callId: number, userId: number) {
    const raw = await this.#publisher.hget(presenceKey(callId), String(userId))
    return raw ? (JSON.parse(raw) as PresenceEntry) : null
  }

  async setPresence(callId: number, userId: number, entry: PresenceEntry) {
    await this.#publisher
      .multi()
      .hset(presenceKey(callId), String(userId), JSON.stringify(entry))
      .expire(presenceKey(callId), 86_400)
      .exec()
  }

  async removePresence(callId: number, userId: number) {
    await this.#publisher.hdel(presenceKey(callId), String(userId))
  }

  async close() {
    this.#handlers.clear()
    // Presence writes queued by the shutdown go out first.
    await this.#publisher.quit().catch(() => this.#publisher.disconnect())
    this.#subscriber.disconnect()
  }
}
