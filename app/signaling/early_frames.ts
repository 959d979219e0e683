import type { WebSocket, RawData } from 'ws'
import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import { CloseCode } from '#signaling/protocol'
import { recordClosing, recordRefused } from '#metrics/signaling_metrics'
import { recordRefusal } from '#metrics/limit_metrics'

type Received = { data: RawData; isBinary: boolean }

/**
 * The frames a socket sends before it is admitted: handled once it is, up to a bound (they sit
 * in memory meanwhile); past the bound the socket is refused (4008).
 */
export class EarlyFrames {
  #frames: Received[] = []
  #bytes = 0
  #refused = false

  constructor(readonly ws: WebSocket) {
    ws.on('message', this.#buffer)
    // ws emits 'error' for a bad frame (too big, not masked): without a listener, before
    // CallSocket.listen adds its own, that would be an uncaught exception.
    ws.on('error', logEarlyError)
  }

  #buffer = (data: RawData, isBinary: boolean) => {
    this.#bytes += byteLength(data)
    if (this.#frames.length >= callsConfig.earlyFrames || this.#bytes > callsConfig.earlyBytes) {
      recordRefused('rate_limited')
      recordRefusal('call_early_frames')
      return this.refuse(CloseCode.Flood, 'Too many frames before the welcome')
    }
    this.#frames.push({ data, isBinary })
  }

  /** True once the socket was refused, or has closed or is closing: admission stops. */
  get gone() {
    return this.#refused || this.ws.readyState !== this.ws.OPEN
  }

  /** Refuses the socket with a close code (see refuseSocket); the held frames are dropped. */
  refuse(code: number, reason: string) {
    this.#refused = true
    this.stop()
    this.#frames.length = 0
    refuseSocket(this.ws, code, reason)
  }

  /** Stops holding frames: the admitted socket reads them from now on. */
  stop() {
    this.ws.off('message', this.#buffer)
  }

  /** Hands the held frames to the admitted socket, oldest first. */
  drainInto(receive: (data: RawData, isBinary: boolean) => void) {
    for (const { data, isBinary } of this.#frames.splice(0)) receive(data, isBinary)
  }
}

/**
 * Closes a socket the hub will not take (refused, failed, flooding before its welcome). It stops
 * reading at once: a client that ignores the close and keeps sending would otherwise have its
 * frames read (and held, or parsed and discarded) until ws's 30 s close timeout. A paused socket
 * cannot read the client's answering close frame either, so the connection is dropped after
 * `refusedCloseMs`; the client has the close frame (and our FIN) by then.
 */
export function refuseSocket(ws: WebSocket, code: number, reason: string) {
  ws.removeAllListeners('message')
  ws.pause()
  if (ws.readyState === ws.CLOSED) return
  recordClosing(ws, code)
  ws.close(code, reason)
  // Our side is done once the close frame is out: the FIN lets a well-behaved client (a browser)
  // finish at once instead of waiting for the drop below. ws has no public half-close.
  ;(ws as unknown as { _socket?: { end(): void } })._socket?.end()
  const timer = setTimeout(() => ws.terminate(), callsConfig.refusedCloseMs)
  timer.unref()
  ws.once('close', () => clearTimeout(timer))
}

function logEarlyError(error: Error) {
  logger.debug({ err: error }, 'call socket error before admission')
}

function byteLength(data: RawData) {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.length, 0)
  return data.byteLength
}
