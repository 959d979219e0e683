import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'
import { JanusHandle } from '#sfu/janus_handle'
import { JanusError, type JanusMessage } from '#sfu/janus_protocol'

export type JanusConnectionState = 'connecting' | 'up' | 'down' | 'closed'

export interface JanusConnectionOptions {
  apiSecret?: string
  /** How often the session is kept alive; Janus destroys a silent session after its session_timeout (60 s by default). */
  keepaliveMs?: number
  /** A request Janus does not answer within this is failed, and the connection counted as lost. */
  requestTimeoutMs?: number
  /** Waits between reconnect attempts; the last one repeats. */
  reconnectDelaysMs?: number[]
}

interface Pending {
  resolve: (message: JanusMessage) => void
  reject: (error: Error) => void
  /** Whether Janus's `ack` is the answer (keepalive, trickle) or only a receipt (async plugin messages). */
  ackIsAnswer: boolean
  timer: NodeJS.Timeout
}

type Events = {
  /** A session is open (first connect, or again after a loss: `reconnected` true). */
  up: [info: { sessionId: number; reconnected: boolean }]
  /** The socket closed, a keepalive went unanswered or Janus timed the session out. */
  down: [reason: string]
}

/**
 * One Janus server as Confab's server sees it: its WebSocket API (subprotocol `janus-protocol`,
 * the apisecret in every request), one Janus session kept alive, requests matched to answers by
 * transaction, and plugin handles' events routed to them. Losing the socket or the session is
 * announced (`down`) and followed by reconnect attempts (`up` with `reconnected`); the handles of
 * a lost session are gone with it (Janus forgets them), so they are told (`lost`) and dropped.
 *
 * Written on `ws` rather than Meetecho's `janode`: janode imports its Unix-socket transport
 * unconditionally, whose `unix-dgram` native addon builds against this machine's Node 20
 * headers and fails to load on Node 24 (NODE_MODULE_VERSION 115 vs 137), so `import 'janode'`
 * throws here.
 */
export class JanusConnection extends EventEmitter<Events> {
  state: JanusConnectionState = 'connecting'
  sessionId: number | null = null
  #socket: WebSocket | null = null
  #pending = new Map<string, Pending>()
  #handles = new Map<number, JanusHandle>()
  #keepalive: NodeJS.Timeout | null = null
  #reconnect: NodeJS.Timeout | null = null
  #attempt = 0
  #everUp = false
  #options: Required<JanusConnectionOptions>

  constructor(
    readonly url: string,
    options: JanusConnectionOptions = {}
  ) {
    super()
    this.#options = {
      apiSecret: options.apiSecret ?? '',
      keepaliveMs: options.keepaliveMs ?? 25_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      reconnectDelaysMs: options.reconnectDelaysMs ?? [250, 500, 1000, 2000, 5000],
    }
  }

  /** Starts connecting (and reconnecting whenever the connection is lost, until close()). */
  start() {
    this.#connect()
    return this
  }

  /** Resolves once a session is up, or rejects after `timeoutMs`. */
  ready(timeoutMs = 10_000) {
    if (this.state === 'up') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('up', onUp)
        reject(new JanusError(0, `Janus at ${this.url} is not reachable`))
      }, timeoutMs)
      const onUp = () => {
        clearTimeout(timer)
        resolve()
      }
      this.once('up', onUp)
    })
  }

  #connect() {
    this.#reconnect = null
    this.state = 'connecting'
    const socket = new WebSocket(this.url, 'janus-protocol', { handshakeTimeout: this.#options.requestTimeoutMs })
    this.#socket = socket
    socket.on('message', (data) => this.#receive(String(data)))
    socket.on('error', () => {}) // followed by 'close', which does the work
    socket.on('close', () => {
      if (this.#socket === socket) this.#lost('the WebSocket to Janus closed')
    })
    socket.on('open', () => {
      this.#send({ janus: 'create' }, false)
        .then((answer) => {
          this.sessionId = answer.data.id
          this.state = 'up'
          this.#attempt = 0
          this.#keepalive = setInterval(() => this.#keepAlive(), this.#options.keepaliveMs)
          this.#keepalive.unref()
          const reconnected = this.#everUp
          this.#everUp = true
          this.emit('up', { sessionId: this.sessionId!, reconnected })
        })
        .catch((error) => this.#lost(`Janus refused a session: ${error.message}`))
    })
  }

  #keepAlive() {
    this.request({ janus: 'keepalive' }, { ackIsAnswer: true }).catch((error) =>
      this.#lost(`Janus did not answer a keepalive: ${error.message}`)
    )
  }

  /** Forgets the session and its handles, tells everyone, and schedules the next attempt. */
  #lost(reason: string) {
    if (this.state === 'closed') return
    const wasUp = this.state === 'up'
    const socket = this.#socket
    this.#socket = null
    socket?.removeAllListeners('close')
    socket?.terminate()
    if (this.#keepalive) clearInterval(this.#keepalive)
    this.#keepalive = null
    this.sessionId = null
    this.state = 'down'
    for (const [transaction, pending] of this.#pending) {
      clearTimeout(pending.timer)
      pending.reject(new JanusError(0, `Janus connection lost (${reason})`))
      this.#pending.delete(transaction)
    }
    const handles = [...this.#handles.values()]
    this.#handles.clear()
    for (const handle of handles) handle.lose(reason)
    if (wasUp) this.emit('down', reason)
    const delays = this.#options.reconnectDelaysMs
    const delay = delays[Math.min(this.#attempt++, delays.length - 1)]
    this.#reconnect = setTimeout(() => this.#connect(), delay)
    this.#reconnect.unref()
  }

  #receive(text: string) {
    let message: JanusMessage
    try {
      message = JSON.parse(text)
    } catch {
      return
    }
    const pending = message.transaction ? this.#pending.get(message.transaction) : undefined
    if (pending && (message.janus !== 'ack' || pending.ackIsAnswer)) {
      clearTimeout(pending.timer)
      this.#pending.delete(message.transaction!)
      if (message.janus === 'error') pending.reject(new JanusError(message.error!.code, message.error!.reason))
      else if (message.plugindata?.data?.error_code) {
        pending.reject(new JanusError(message.plugindata.data.error_code, message.plugindata.data.error))
      } else pending.resolve(message)
      return
    }
    if (pending) return // the receipt of an asynchronous request: its answer comes as an event
    if (message.janus === 'timeout' && message.session_id === this.sessionId) {
      this.#lost('Janus timed the session out')
      return
    }
    if (message.sender) this.#handles.get(message.sender)?.receive(message)
  }

  #send(body: Record<string, unknown>, ackIsAnswer: boolean) {
    const socket = this.#socket
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new JanusError(0, `Janus at ${this.url} is not connected`))
    }
    const transaction = randomUUID()
    const { apiSecret, requestTimeoutMs } = this.#options
    return new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction)
        reject(new JanusError(0, `Janus did not answer ${String(body.janus)} within ${requestTimeoutMs} ms`))
      }, requestTimeoutMs)
      this.#pending.set(transaction, { resolve, reject, ackIsAnswer, timer })
      socket.send(JSON.stringify({ ...body, transaction, ...(apiSecret ? { apisecret: apiSecret } : {}) }))
    })
  }

  /** A request within the session; resolves with Janus's answer, rejects with a JanusError. */
  request(body: Record<string, unknown>, { ackIsAnswer = false } = {}) {
    if (this.state !== 'up') return Promise.reject(new JanusError(0, `Janus at ${this.url} is ${this.state}`))
    return this.#send({ ...body, session_id: this.sessionId }, ackIsAnswer)
  }

  /** Attaches a handle to a plugin (e.g. `janus.plugin.videoroom`) in this session. */
  async attach(plugin: string) {
    const answer = await this.request({ janus: 'attach', plugin })
    const handle = new JanusHandle(this, answer.data.id, plugin)
    this.#handles.set(handle.id, handle)
    return handle
  }

  /** Called by a handle once Janus has detached it. */
  forget(handleId: number) {
    this.#handles.delete(handleId)
  }

  /** Stops for good: the session is destroyed when Janus can still be told, and nothing reconnects. */
  async close() {
    if (this.state === 'closed') return
    if (this.#reconnect) clearTimeout(this.#reconnect)
    if (this.state === 'up') await this.request({ janus: 'destroy' }).catch(() => {})
    if (this.#keepalive) clearInterval(this.#keepalive)
    this.state = 'closed'
    const socket = this.#socket
    this.#socket = null
    socket?.terminate()
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(new JanusError(0, 'Janus connection closed'))
    }
    this.#pending.clear()
    this.#handles.clear()
  }
}
