import WebSocket from 'ws'
import type { ServerFrame } from '#signaling/protocol'
import { Arrivals } from '#tests/helpers/waiting'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import type User from '#models/user'
import type { ApiClient } from '@japa/api-client'
import { channelWith, people } from '#tests/helpers/world'
import { accept, startCall } from '#tests/helpers/calls'

export const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** What a refused handshake or a closed socket ended with. */
export type Outcome = { status?: number; code?: number; reason?: string }

/**
 * A call WebSocket as a browser page opens it: the session cookie from a real login, the page's
 * Origin. Collects every frame, and tells how the socket ended.
 */
export class CallSocketClient {
  ws: WebSocket
  closed: Promise<Outcome>
  opened: Promise<void>
  #frames = new Arrivals<ServerFrame>()

  constructor(url: string, headers: Record<string, string>) {
    this.ws = new WebSocket(url, { headers })
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode })))
      this.ws.once('error', reject)
    })
    this.closed = new Promise((resolve) => {
      this.ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }))
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    })
    this.opened.catch(() => {})
    this.ws.on('message', (data) => this.#frames.push(JSON.parse(data.toString())))
    this.ws.on('close', () => this.#frames.end())
  }

  static async as(
    user: User,
    callId: number,
    options: { origin?: string; peerId?: string; browser?: BrowserlessClient; server?: string } = {}
  ) {
    const server = options.server ?? baseUrl()
    const browser = options.browser ?? (await new BrowserlessClient(server).login(user.email, TEST_PASSWORD))
    const query = options.peerId ? `?peer=${options.peerId}` : ''
    return new CallSocketClient(`${server.replace('http', 'ws')}/calls/${callId}/signal${query}`, {
      cookie: browser.cookieHeader,
      origin: options.origin ?? server,
    })
  }

  /** A call WebSocket as a token client opens it (docs/api.md): the Bearer header, no cookie, no Origin. */
  static withToken(token: string, callId: number, server = baseUrl()) {
    return new CallSocketClient(`${server.replace('http', 'ws')}/calls/${callId}/signal`, { authorization: `Bearer ${token}` })
  }

  static anonymous(callId: number, origin = baseUrl()) {
    return new CallSocketClient(`${baseUrl().replace('http', 'ws')}/calls/${callId}/signal`, { origin })
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Every frame received so far. */
  get frames() {
    return this.#frames.items
  }

  /** Waits for a frame matching `match` (already received or still to come). */
  async next<T extends ServerFrame['type']>(type: T, match: (frame: any) => boolean = () => true, timeoutMs = 3000) {
    const frame = await this.#frames.waitFor(
      (candidate) => candidate.type === type && match(candidate),
      timeoutMs,
      () => `No ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`
    )
    return frame as Extract<ServerFrame, { type: T }>
  }

  close() {
    this.ws.close()
  }
}

/**
 * alice started a video call in a channel with bob and carol; alice and bob are in it with their
 * sockets welcomed (alice has seen bob join), carol is still ringing.
 */
export async function callOfThree(client: ApiClient, cleanup: (fn: () => void) => void) {
  const [alice, bob, carol] = await people(3)
  const channel = await channelWith([alice!, bob!, carol!])
  const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
  await accept(client, bob!, callId)
  const open = async (user: User) => {
    const socket = await CallSocketClient.as(user, callId)
    cleanup(() => socket.close())
    await socket.next('welcome')
    return socket
  }
  const aliceSocket = await open(alice!)
  const bobSocket = await open(bob!)
  await aliceSocket.next('participant.joined', (frame) => frame.participant.userId === bob!.id)
  return { alice: alice!, bob: bob!, carol: carol!, callId, aliceSocket, bobSocket }
}

/**
 * A live video call of `count` people in one channel, every one of them joined with a welcomed
 * socket (the first started it, the others accepted over HTTP, then connected one by one).
 */
export async function callWithSockets(client: ApiClient, cleanup: (fn: () => void) => void, count: number) {
  const everyone = await people(count)
  const channel = await channelWith(everyone)
  const callId = (await startCall(client, everyone[0]!, channel, 'video')).body().call.id as number
  for (const person of everyone.slice(1)) await accept(client, person, callId)
  const sockets: CallSocketClient[] = []
  for (const person of everyone) {
    const socket = await CallSocketClient.as(person, callId)
    cleanup(() => socket.close())
    await socket.next('welcome')
    sockets.push(socket)
  }
  return { everyone, callId, sockets, channel }
}
