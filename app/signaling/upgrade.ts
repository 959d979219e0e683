import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import logger from '@adonisjs/core/services/logger'
import callHub from '#signaling/call_hub'
import { isSameOrigin, signInOfUpgrade } from '#signaling/authenticate_upgrade'
import { MAX_FRAME_BYTES } from '#signaling/protocol'
import { isDatabaseUnavailable } from '#exceptions/database_unavailable'
import { watchCloses } from '#metrics/signaling_metrics'
import { isTokenRequest } from '#helpers/token_request'

const SIGNAL_PATH = /^\/calls\/([1-9]\d{0,9})\/signal$/
const PEER_ID = /^[0-9a-f-]{36}$/i

/** ws does the handshake; Confab decides who may have one (noServer: we own `upgrade`). */
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })

/**
 * Handles an HTTP upgrade to `GET /calls/:id/signal`. Everything that can be refused before the
 * handshake is refused with a plain HTTP status: 404 another path, 403 a foreign Origin, 401 no
 * valid session. The call-level checks (member, participant, ended, full) happen after the
 * handshake with close codes the page can read (see protocol.ts). A token client (Bearer header,
 * no session cookie) is signed in by its token and needs no Origin (docs/api.md).
 */
export async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = SIGNAL_PATH.exec(url.pathname)
    if (!match) return refuse(socket, 404, 'Not Found')
    // The Origin check guards the cookies a browser sends wherever a page connects from; a
    // token client's handshake carries no cookie to abuse (and a page cannot set its headers).
    const byToken = isTokenRequest(req.headers)
    if (!byToken && !isSameOrigin(req)) return refuse(socket, 403, 'Forbidden')
    const signIn = await signInOfUpgrade(req, byToken)
    if (!signIn) return refuse(socket, 401, 'Unauthorized')

    const peer = url.searchParams.get('peer')
    const peerId = peer && PEER_ID.test(peer) ? peer : null
    if (socket.destroyed) return
    wss.handleUpgrade(req, socket, head, (ws) => {
      watchCloses(ws)
      // connect() has already refused the socket (1011) when it throws.
      callHub.connect(ws, signIn.user, signIn.credential, Number(match[1]), peerId).catch((error) => {
        logger.error({ err: error }, 'call socket setup failed')
      })
    })
  } catch (error) {
    // The session lookup meets the database first: an outage is a 503 the page retries, as
    // for every HTTP route, with one warning line instead of a stack per attempt.
    if (isDatabaseUnavailable(error)) {
      logger.warn('database unavailable: call socket upgrade answered 503')
      return refuse(socket, 503, 'Service Unavailable')
    }
    logger.error({ err: error }, 'call socket upgrade failed')
    refuse(socket, 500, 'Internal Server Error')
  }
}

function refuse(socket: Duplex, status: number, text: string) {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`)
  }
  socket.destroy()
}
