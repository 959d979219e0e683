import { Emitter } from './emitter.js'
import { CloseCode, type ClientFrame, type ServerFrame, type ServerFrames } from '../../../app/signaling/protocol.js'

/** The part of the browser WebSocket this client uses (a fake in unit tests). */
export type SocketLike = {
  readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'closed'

type Events = { [Type in keyof ServerFrames]: ServerFrames[Type] } & {
  state: SignalingState
  /** The socket will not come back: why (a close code from protocol.ts). */
  closed: { code: number; reason: string }
}

/**
 * Close codes after which reconnecting is pointless: the answer would be the same. Every other
 * code is worth a reconnect: a drop (1006), a restart (1001), a server error (1011, 1013), too
 * many frames (4008), or a page that fell behind (4503, TooSlow: the welcome brings it up to date).
 */
const FINAL_CODES = new Set<number>([
  CloseCode.Normal,
  CloseCode.Replaced,
  CloseCode.NotParticipant,
  CloseCode.NoSuchCall,
  CloseCode.CallFull,
  CloseCode.CallEnded,
  CloseCode.LeftChannel,
  // Signed out (here or from another browser): the upgrade would answer 401.
  CloseCode.SessionRevoked,
])

export type SignalingOptions = {
  url: string
  createSocket?: (url: string) => SocketLike
  /** First retry delay and ceiling, doubling in between, with jitter. */
  backoff?: { initialMs: number; maxMs: number }
  random?: () => number
}

/**
 * The call's WebSocket, typed by protocol.ts: emits one event per server frame type, reconnects
 * with exponential backoff after a drop (network, server restart), and stops for good on the
 * close codes that mean "no" (ended, not a participant, replaced ...). The server keeps the
 * person's place for a grace period, so a quick reconnect keeps them in the call.
 */
export class SignalingClient extends Emitter<Events> {
  #socket: SocketLike | null = null
  #state: SignalingState = 'closed'
  #attempt = 0
  #retryTimer: ReturnType<typeof setTimeout> | null = null
  #stopped = false
  #options: Required<SignalingOptions>

  constructor(options: SignalingOptions) {
    super()
    this.#options = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      backoff: { initialMs: 500, maxMs: 5000 },
      random: Math.random,
      ...options,
    }
  }

  get state() {
    return this.#state
  }

  connect() {
    this.#stopped = false
    this.#open()
  }

  /** Sends a frame if the socket is open; returns false when it is not (caller decides). */
  send(frame: ClientFrame) {
    if (this.#socket?.readyState !== 1) return false
    this.#socket.send(JSON.stringify(frame))
    return true
  }

  /** Leaves the call on purpose: tells the server, then closes for good. */
  leave() {
    this.send({ type: 'leave' })
    this.close()
  }

  /** Closes for good (idempotent); no reconnect follows. */
  close() {
    this.#stopped = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#retryTimer = null
    const socket = this.#socket
    this.#socket = null
    if (socket && socket.readyState <= 1) socket.close(CloseCode.Normal, 'bye')
    this.#setState('closed')
  }

  #open() {
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting')
    const socket = this.#options.createSocket(this.#options.url)
    this.#socket = socket
    socket.onopen = () => {
      this.#attempt = 0
      this.#setState('open')
    }
    socket.onmessage = (event) => this.#receive(event.data)
    socket.onerror = () => {}
    socket.onclose = (event) => {
      if (this.#socket !== socket) return
      this.#socket = null
      if (this.#stopped) return
      if (FINAL_CODES.has(event.code)) {
        this.#stopped = true
        this.#setState('closed')
        this.emit('closed', { code: event.code, reason: event.reason })
        return
      }
      this.#scheduleReconnect()
    }
  }

  #scheduleReconnect() {
    this.#setState('reconnecting')
    const { initialMs, maxMs } = this.#options.backoff
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempt)
    const delay = base / 2 + this.#options.random() * (base / 2)
    this.#attempt += 1
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null
      if (!this.#stopped) this.#open()
    }, delay)
  }

  #receive(data: unknown) {
    let frame: ServerFrame
    try {
      frame = JSON.parse(String(data))
    } catch {
      return
    }
    if (frame && typeof frame.type === 'string') this.emit(frame.type as keyof ServerFrames, frame as never)
  }

  #setState(state: SignalingState) {
    if (this.#state === state) return
    this.#state = state
    this.emit('state', state)
  }
}
