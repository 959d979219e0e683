import type { WebSocket } from 'ws'
import { bounded, counter, gauge } from '#metrics/registry'
import { CloseCode, type ClientFrame, type SignalingErrorCode } from '#signaling/protocol'

/** Client frames the server passes on: `signal` to one member, `media` to all the others, `hand` and `reaction` to everyone. */
const RELAYED_TYPES = ['signal', 'media', 'hand', 'reaction'] as const satisfies readonly ClientFrame['type'][]

/**
 * Why a frame was not acted on: the `error` frame codes a client earns, plus `rate_limited`
 * (the frame that tripped the flood limit, the socket closes with 4008; or a reaction past its own tighter limit) and `stale_socket` (a
 * frame from a socket that a newer connection replaced, dropped silently).
 */
export const REFUSAL_REASONS = [
  'bad_json',
  'unknown_type',
  'invalid_frame',
  'unknown_peer',
  'peer_not_connected',
  'not_initiator',
  'not_allowed',
  'call_ended',
  'internal',
  'rate_limited',
  'stale_socket',
] as const satisfies readonly (SignalingErrorCode | 'rate_limited' | 'stale_socket')[]
export type RefusalReason = (typeof REFUSAL_REASONS)[number]

/** Confab's close codes, plus what ws reports for a close without a code (1005) or without a close frame (1006). */
const CLOSE_CODES = [...new Set<number>([...Object.values(CloseCode), 1005, 1006])].map(String)

const framesRelayed = counter({
  name: 'confab_signaling_frames_relayed_total',
  help: 'Call socket frames relayed to other members (signal: to one; media: to all others), by type',
  labelNames: ['type'],
})
const framesRefused = counter({
  name: 'confab_signaling_frames_refused_total',
  help: 'Call socket frames refused, by reason',
  labelNames: ['reason'],
})
const closes = counter({
  name: 'confab_signaling_closes_total',
  help: 'Call sockets closed after the handshake, by close code (the one the server sent, else the one it got)',
  labelNames: ['code'],
})
for (const type of RELAYED_TYPES) framesRelayed.inc({ type }, 0)
for (const reason of REFUSAL_REASONS) framesRefused.inc({ reason }, 0)

let countSockets = () => 0

/** Call sockets open on this instance, counted by the hub at each scrape. Per instance: sum(). */
gauge({
  name: 'confab_call_sockets',
  help: 'Call WebSockets open on this instance',
  collect() {
    this.set(countSockets())
  },
})

/** The hub tells how to count its sockets (it imports this module, not the other way round). */
export function measureCallSocketsWith(count: () => number) {
  countSockets = count
}

export function recordRelayed(type: ClientFrame['type']) {
  framesRelayed.inc({ type: bounded(RELAYED_TYPES, type) })
}

export function recordRefused(reason: RefusalReason | SignalingErrorCode) {
  framesRefused.inc({ reason: bounded(REFUSAL_REASONS, reason) })
}

/** The code the server closed each socket with, when it closed first. */
const sentCodes = new WeakMap<WebSocket, number>()

/** The server is closing `ws` with `code` (the first close counts, as for ws). */
export function recordClosing(ws: WebSocket, code: number) {
  if (!sentCodes.has(ws)) sentCodes.set(ws, code)
}

/**
 * Counts the socket's close once it happens: the code the server sent if it closed first (a
 * refused socket never reads the client's answer), else the client's, or 1006 for a drop.
 */
export function watchCloses(ws: WebSocket) {
  ws.once('close', (code: number) => {
    closes.inc({ code: bounded(CLOSE_CODES, String(sentCodes.get(ws) ?? code)) })
  })
}
