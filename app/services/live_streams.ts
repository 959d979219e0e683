import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import transmit from '@adonisjs/transmit/services/main'
import logger from '@adonisjs/core/services/logger'
import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { redisConnection } from '#config/redis'
import { RedisStreamDirectory } from '#services/redis_stream_directory'
import {
  LocalStreamDirectory,
  type StreamCommand,
  type StreamDirectory,
  type StreamOwner,
} from '#services/stream_directory'
import { measureSseStreamsWith } from '#metrics/stream_metrics'

/** How long a subscribe waits for the instance holding the stream before answering 503. */
const FORWARD_TIMEOUT_MS = 3000

// No HttpContext here: a stream lives as long as its page, and its request's context (session,
// auth, renderer) would live as long (bench/README.md, "Memory per idle SSE subscriber").
type LocalStream = { owner: StreamOwner; response: ServerResponse }

export type OpenResult =
  | { status: 'opened' }
  | { status: 'taken' }
  | { status: 'full'; retryAfterSeconds: number }
  | { status: 'unavailable' }
export type SubscriptionResult = 'done' | 'not_found' | 'denied' | 'unreachable'

/**
 * Confab's SSE streams around Transmit: each stream belongs to the person and session that
 * opened it, a person holds at most SSE_MAX_STREAMS_PER_USER of them (across instances when Redis
 * is set), and a subscribe or unsubscribe that reaches an instance other than the stream's holder
 * is authorized here and then carried out by the holder, which confirms it before we answer.
 */
export class LiveStreams {
  #local = new Map<string, LocalStream>()
  #refresher: NodeJS.Timeout | null = null

  constructor(
    private directory: StreamDirectory,
    private maxPerUser: number
  ) {
    directory.onCommand((command) => this.#run(command))
    if (directory.ttlMs > 0) {
      this.#refresher = setInterval(() => void this.#refresh(), Math.floor(directory.ttlMs / 3))
      this.#refresher.unref()
    }
  }

  /** Streams held open here (the confab_sse_streams gauge). */
  get openCount() {
    return this.#local.size
  }

  /** Opens the stream `uid` for the signed-in user, unless the uid is someone else's or they are at the cap. */
  async open(ctx: HttpContext, uid: string): Promise<OpenResult> {
    const owner: StreamOwner = {
      instance: this.directory.instanceId,
      token: randomUUID(),
      userId: ctx.auth.getUserOrFail().id,
      sessionId: ctx.session.sessionId,
    }
    const claim = await this.directory.claim(uid, owner, this.maxPerUser).catch((error) => {
      logger.error({ err: error }, 'SSE stream directory unavailable')
      return { status: 'unavailable' as const }
    })
    if (claim.status === 'taken' || claim.status === 'unavailable') return claim
    if (claim.status === 'full') return { status: 'full', retryAfterSeconds: Math.ceil(this.directory.ttlMs / 1000) || 30 }

    // The same page reconnecting (EventSource reuses its uid): the new stream replaces the old one.
    if (claim.previous?.instance === this.directory.instanceId) {
      await this.#closeLocal(uid, claim.previous.token)
    } else if (claim.previous) {
      void this.directory.send(claim.previous.instance, { op: 'close', uid, token: claim.previous.token }, FORWARD_TIMEOUT_MS)
    }

    const response = ctx.response.response
    if (response.destroyed || ctx.request.request.socket.destroyed) {
      // The client hung up while we claimed: its 'close' is gone already, so free the slot now.
      await this.directory.release(uid, owner.token).catch(() => {})
      return { status: 'opened' }
    }
    this.#local.set(uid, { owner, response })
    response.once('close', () => {
      // Not ours any more: replaced by a newer stream with this uid, or released by close().
      if (this.#local.get(uid)?.owner.token !== owner.token) return
      this.#local.delete(uid)
      this.directory.release(uid, owner.token).catch((error) => logger.warn({ err: error }, 'SSE stream release failed'))
    })
    const stream = transmit.createStream({
      uid,
      context: ctx,
      request: ctx.request.request,
      response,
      injectResponseHeaders: ctx.response.getHeaders(),
    })
    ctx.response.stream(stream)
    return { status: 'opened' }
  }

  /** Subscribes the caller's own stream `uid` to `channel`, wherever the stream is held. */
  async subscribe(ctx: HttpContext, uid: string, channel: string): Promise<SubscriptionResult> {
    const owner = await this.#ownStream(ctx, uid)
    if (!owner) return 'not_found'
    if (owner === 'unreachable') return owner
    if (!(await transmit.getManager().verifyAccess(channel, ctx))) return 'denied'
    const result = await this.#carryOut(owner, { op: 'subscribe', uid, channel })
    // A leave that committed while the subscribe was on its way (forwarded to another instance,
    // up to FORWARD_TIMEOUT_MS) has already dropped the person's subscriptions and would miss
    // this one: checked again once it is in place, and undone if access went meanwhile.
    if (result === 'done' && !(await transmit.getManager().verifyAccess(channel, ctx))) {
      await this.#carryOut(owner, { op: 'unsubscribe', uid, channel })
      return 'denied'
    }
    return result
  }

  /** Unsubscribes the caller's own stream `uid` from `channel`, wherever the stream is held. */
  async unsubscribe(ctx: HttpContext, uid: string, channel: string): Promise<SubscriptionResult> {
    const owner = await this.#ownStream(ctx, uid)
    if (!owner) return 'not_found'
    if (owner === 'unreachable') return owner
    return this.#carryOut(owner, { op: 'unsubscribe', uid, channel })
  }

  /** Stops delivering `channel` to every open stream of `userId`, on every instance. */
  async unsubscribeEverywhere(userId: number, channel: string) {
    const streams = await this.directory.streamsOf(userId).catch((error) => {
      // The leave itself stands; the broadcasts need the same Redis, so little gets through meanwhile.
      logger.error({ err: error, userId, channel }, 'SSE stream directory unavailable: subscriptions not dropped')
      return []
    })
    const results = await Promise.all(streams.map(({ uid, owner }) => this.#carryOut(owner, { op: 'unsubscribe', uid, channel })))
    const unreachable = results.filter((result) => result === 'unreachable').length
    if (unreachable > 0) logger.warn({ userId, channel, unreachable }, 'SSE streams on unreachable instances kept a channel')
  }

  /**
   * Ends the open streams of sessions that were just revoked (signed out, "Sign out of all other
   * sessions"), on every instance: a stream authorized once would otherwise go on receiving the
   * person's channels for as long as it stays open.
   */
  async closeSessions(userId: number, sessionIds: string[]) {
    const revoked = new Set(sessionIds)
    const streams = await this.directory.streamsOf(userId).catch((error) => {
      logger.error({ err: error, userId }, 'SSE stream directory unavailable: streams of revoked sessions not closed')
      return []
    })
    await Promise.all(
      streams
        .filter(({ owner }) => revoked.has(owner.sessionId))
        .map(({ uid, owner }) => this.#carryOut(owner, { op: 'close', uid, token: owner.token }))
    )
  }

  /** Shutdown: frees this instance's slots in the shared directory, then ends its streams. */
  async close() {
    if (this.#refresher) clearInterval(this.#refresher)
    const streams = [...this.#local]
    this.#local.clear()
    await Promise.all(streams.map(([uid, { owner }]) => this.directory.release(uid, owner.token).catch(() => {})))
    for (const [, { response }] of streams) response.destroy()
    await this.directory.close()
  }

  /** The stream's owner if `uid` is the caller's own stream; `unreachable` when the directory is. */
  async #ownStream(ctx: HttpContext, uid: string) {
    const owner = await this.directory.ownerOf(uid).catch((error) => {
      logger.error({ err: error }, 'SSE stream directory unavailable')
      return 'unreachable' as const
    })
    if (owner === 'unreachable') return owner
    const user = ctx.auth.getUserOrFail()
    // Someone else's stream answers exactly like no stream, so uids cannot be probed.
    if (!owner || owner.userId !== user.id || owner.sessionId !== ctx.session.sessionId) return null
    return owner
  }

  async #carryOut(owner: StreamOwner, command: StreamCommand): Promise<SubscriptionResult> {
    const result =
      owner.instance === this.directory.instanceId
        ? await this.#run(command)
        : await this.directory.send(owner.instance, command, FORWARD_TIMEOUT_MS)
    return result === 'gone' ? 'not_found' : result
  }

  /** Carries out a command on a stream held here. */
  async #run(command: StreamCommand): Promise<'done' | 'gone'> {
    const local = this.#local.get(command.uid)
    if (!local) return 'gone'
    if (command.op === 'close') {
      await this.#closeLocal(command.uid, command.token)
      return 'done'
    }
    // No context: authorization happened on the instance that got the request.
    const params = { uid: command.uid, channel: command.channel }
    if (command.op === 'unsubscribe') {
      await transmit.unsubscribe(params)
      return 'done'
    }
    // Authorized by the instance that received the request: it had the session and the database.
    return (await transmit.subscribe({ ...params, skipAuthorization: true })) ? 'done' : 'gone'
  }

  /** Ends the local stream `uid` if it is still `token`, once Transmit has let go of it. */
  async #closeLocal(uid: string, token: string) {
    const local = this.#local.get(uid)
    if (!local || local.owner.token !== token) return
    this.#local.delete(uid)
    const closed = once(local.response, 'close')
    local.response.destroy()
    await closed
  }

  async #refresh() {
    const streams = [...this.#local].map(([uid, { owner }]) => ({ uid, owner }))
    try {
      const takenOver = await this.directory.refresh(streams)
      for (const uid of takenOver) await this.#closeLocal(uid, this.#local.get(uid)?.owner.token ?? '')
    } catch (error) {
      logger.warn({ err: error }, 'SSE stream directory refresh failed')
    }
  }
}

const directory = redisConnection ? new RedisStreamDirectory(redisConnection) : new LocalStreamDirectory()
const liveStreams = new LiveStreams(directory, env.get('SSE_MAX_STREAMS_PER_USER') ?? 10)
measureSseStreamsWith(() => liveStreams.openCount)
export default liveStreams
