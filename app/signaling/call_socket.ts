import type { WebSocket, RawData } from 'ws'
import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import type User from '#models/user'
import type { IceServers } from '#services/ice_servers'
import { FrameBucket } from '#signaling/rate_limiter'
import { frameValidators, isFrameType } from '#signaling/frame_validators'
import { refuseSocket } from '#signaling/early_frames'
import { CloseCode, type ClientFrames, type ServerFrame, type SignalingErrorCode } from '#signaling/protocol'
import { recordClosing, recordRefused } from '#metrics/signaling_metrics'
import { recordRefusal } from '#metrics/limit_metrics'

/**
 * What a call socket was signed in with at its upgrade (app/signaling/authenticate_upgrade.ts),
 * so that ending that sign-in closes the socket too (app/signaling/socket_revocations.ts): a
 * browser's session, or a token client's personal access token and when it expires.
 */
export type SocketCredential = { kind: 'session'; sessionId: string } | { kind: 'token'; tokenId: number; expiresAt: Date | null }

/** setTimeout fires at once past 2^31-1 ms (~24.8 days): a token living longer is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** The frames of a call on the SFU, all for its Janus room (app/sfu/call_sfu.ts). */
export type SfuFrameType = 'sfu.publish' | 'sfu.subscribe' | 'sfu.start' | 'sfu.trickle' | 'sfu.leave'

/**
 * Who a call socket hands its valid frames to (the hub), one method per frame type, and tells
 * when it closes. The socket itself knows nothing of rooms or other sockets.
 */
export interface CallSocketHandler {
  /** False once a newer socket (or a removal) took this one's place: its frames are dropped. */
  speaksFor(socket: CallSocket): boolean
  signal(socket: CallSocket, frame: ClientFrames['signal']): void | Promise<void>
  media(socket: CallSocket, frame: ClientFrames['media']): void | Promise<void>
  leave(socket: CallSocket): Promise<void>
  end(socket: CallSocket): Promise<void>
  hand(socket: CallSocket, frame: ClientFrames['hand']): void | Promise<void>
  reaction(socket: CallSocket, frame: ClientFrames['reaction']): void
  /** The SFU frames (publish, subscribe, start, trickle), all for the call's Janus room. */
  sfu(socket: CallSocket, frame: ClientFrames[SfuFrameType]): Promise<void>
  closed(socket: CallSocket): void
}

/** One person's socket in a call: frame parsing, validation, rate limit, pings, ICE refresh, backpressure. */
export class CallSocket {
  #alive = true
  #bucket = new FrameBucket(callsConfig.frameBurst, callsConfig.framesPerSecond)
  /** Reactions float over everyone's screen: a tighter limit of their own, which drops them rather than the socket. */
  #reactions = new FrameBucket(callsConfig.reactionBurst, callsConfig.reactionsPerSecond)
  /** Frames received and not handled yet, oldest first. */
  #inbox: Array<{ data: RawData; isBinary: boolean }> = []
  #handling = false
  #iceRefresh: NodeJS.Timeout | null = null
  #expiry: NodeJS.Timeout | null = null

  constructor(
    private ws: WebSocket,
    readonly user: User,
    readonly credential: SocketCredential,
    readonly callId: number,
    readonly peerId: string | null,
    private handler: CallSocketHandler,
    private iceServers: IceServers
  ) {}

  /** Starts reading frames and watching the connection (after admission). */
  listen() {
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary))
    this.ws.on('pong', () => (this.#alive = true))
    this.ws.on('close', () => {
      this.#stopTimers()
      this.handler.closed(this)
    })
    this.ws.on('error', (error) => logger.debug({ err: error }, 'call socket error'))
    this.#scheduleIceRefresh()
    this.#scheduleExpiry()
  }

  /** Whether the connection has closed already. */
  get isClosed() {
    return this.ws.readyState === this.ws.CLOSED
  }

  /** Frames are handled one at a time, in order, so a sender's frames are relayed in order. */
  receive(data: RawData, isBinary = false) {
    if (!this.#bucket.take()) {
      // A flooding client gets its frames unread from now on, like a refused one.
      this.#stopTimers()
      this.#inbox.length = 0
      recordRefused('rate_limited')
      recordRefusal('call_frames')
      refuseSocket(this.ws, CloseCode.Flood, 'Too many frames, slow down')
      return
    }
    this.#inbox.push({ data, isBinary })
    if (!this.#handling) void this.#handleInbox()
  }

  /** One loop per burst of frames rather than a promise chain link per frame. */
  async #handleInbox() {
    this.#handling = true
    for (let next = this.#inbox.shift(); next; next = this.#inbox.shift()) {
      try {
        await this.#handle(next.data, next.isBinary)
      } catch (error) {
        logger.error({ err: error, callId: this.callId }, 'call frame failed')
        this.error('internal', 'The server could not handle that frame')
      }
    }
    this.#handling = false
  }

  async #handle(data: RawData, isBinary: boolean) {
    // A socket replaced by a newer one (or removed) no longer speaks for its person.
    if (!this.handler.speaksFor(this)) return recordRefused('stale_socket')
    if (isBinary) return this.error('invalid_frame', 'Frames must be JSON text')
    let frame: any
    try {
      frame = JSON.parse(data.toString())
    } catch {
      return this.error('bad_json', 'The frame is not valid JSON')
    }
    // Anything JSON can say reaches this point (null, numbers, arrays, `{"type":{"toString":1}}`):
    // nothing below may call a method of the frame before it is known to be a plain object.
    const type: unknown = isPlainObject(frame) ? frame.type : undefined
    if (type !== undefined && type !== null && typeof type !== 'string') {
      return this.error('invalid_frame', 'type: The type field must be a string')
    }
    if (!isFrameType(type)) {
      return this.error('unknown_type', `Unknown frame type: ${JSON.stringify(String(type)).slice(0, 40)}`)
    }
    let valid: any
    try {
      valid = await frameValidators[type].validate(frame)
    } catch (error: any) {
      const first = error?.messages?.[0]
      const detail = typeof first?.field === 'string' && typeof first?.message === 'string'
      return this.error('invalid_frame', detail ? `${first.field}: ${first.message}`.slice(0, 200) : 'Invalid frame')
    }
    switch (type) {
      case 'signal':
        return this.handler.signal(this, valid)
      case 'media':
        return this.handler.media(this, valid)
      case 'leave':
        return this.handler.leave(this)
      case 'end':
        return this.handler.end(this)
      case 'hand':
        return this.handler.hand(this, valid)
      case 'reaction':
        if (!this.#reactions.take()) return this.error('rate_limited', 'Too many reactions, slow down')
        return this.handler.reaction(this, valid)
      case 'sfu.publish':
      case 'sfu.subscribe':
      case 'sfu.start':
      case 'sfu.trickle':
      case 'sfu.leave':
        return this.handler.sfu(this, valid)
    }
  }

  /** Queues a frame for the page (see sendRaw). */
  send(frame: ServerFrame) {
    this.sendRaw(JSON.stringify(frame))
  }

  /**
   * Queues a frame for the page. A page that does not read (a stalled tab, a network that holds
   * packets) would make the server keep every frame the others send it: past
   * `maxBufferedBytes` it is closed with 4503 instead, and reconnects when it can.
   */
  sendRaw(payload: string) {
    if (this.ws.readyState !== this.ws.OPEN) return
    if (this.ws.bufferedAmount + Buffer.byteLength(payload) > callsConfig.maxBufferedBytes) {
      logger.warn({ callId: this.callId, userId: this.user.id, buffered: this.ws.bufferedAmount }, 'call socket too slow, closed')
      this.close(CloseCode.TooSlow, 'Too slow to keep up, reconnect')
      // Its close frame waits behind what is queued: a page that never reads is dropped.
      const timer = setTimeout(() => this.ws.terminate(), callsConfig.slowCloseMs)
      timer.unref()
      this.ws.once('close', () => clearTimeout(timer))
      return
    }
    this.ws.send(payload)
  }

  /** Sends an `error` frame; the socket stays open. All but `replaced` answer a refused frame. */
  error(code: SignalingErrorCode, message: string) {
    if (code !== 'replaced') recordRefused(code)
    this.send({ type: 'error', code, message })
  }

  /** Called by the pinger: a socket that missed the last ping is dead. */
  heartbeat() {
    if (!this.#alive) {
      this.ws.terminate()
      return
    }
    this.#alive = false
    this.ws.ping()
  }

  /** A newer connection of the same person took over. */
  replace() {
    this.error('replaced', 'You joined this call from another tab or device')
    this.close(CloseCode.Replaced, 'Replaced by a newer connection')
  }

  /** Drops the connection without a close handshake, as a network failure would. */
  terminate() {
    this.ws.terminate()
  }

  /** Closes the connection with a close code the page reads (see protocol.ts). */
  close(code: number, reason: string) {
    this.#stopTimers()
    recordClosing(this.ws, code)
    this.ws.close(code, reason)
  }

  /** TURN credentials expire: hand out fresh ones at 80% of their lifetime. */
  #scheduleIceRefresh() {
    // A socket that closed before listen() had its close event already: nothing would clear a
    // timer armed now, and it would hold the socket (and its room) forever.
    if (!this.iceServers.hasTurn || this.isClosed) return
    this.#iceRefresh = setTimeout(() => {
      this.send({ type: 'ice.servers', iceServers: this.iceServers.for(this.user.id) })
      this.#scheduleIceRefresh()
    }, this.iceServers.ttlSeconds * 800)
    this.#iceRefresh.unref()
  }

  /**
   * A token socket closes when its token expires (4419), as the upgrade refuses the token from
   * then on: one timer per token socket, cleared on close, so it closes on time without a sweep
   * over every socket. A socket that closed before listen() arms nothing (see above).
   */
  #scheduleExpiry() {
    const expiresAt = this.credential.kind === 'token' ? this.credential.expiresAt : null
    if (!expiresAt || this.isClosed) return
    const left = expiresAt.getTime() - Date.now()
    if (left <= 0) return this.close(CloseCode.TokenExpired, 'Your access token expired')
    this.#expiry = setTimeout(() => this.#scheduleExpiry(), Math.min(left, MAX_TIMER_MS))
    this.#expiry.unref()
  }

  #stopTimers() {
    if (this.#iceRefresh) clearTimeout(this.#iceRefresh)
    if (this.#expiry) clearTimeout(this.#expiry)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
