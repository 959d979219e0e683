/*
| The bare `ws` floor for the signaling benchmark: the least any WebSocket relay must do to
| deliver Confab's frames. It takes `GET /calls/:id/signal?peer=<uuid>&user=<id>` (no session,
| no Origin check, no database: the person is whoever the query says), answers `welcome`, and
| for each frame parses the JSON and
|   - `signal`: forwards `{type, from, fromPeer, data}` to the call member named by `to`,
|   - `media`: forwards `{type, userId, audio, video, screen}` to every other member,
| which is exactly what a Confab client receives, byte for byte in shape.
|
| Run: node --import=@poppinss/ts-exec bench/baselines/ws_relay.ts <port>
*/
import http from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'

const port = Number(process.argv[2] ?? 3411)
const SIGNAL_PATH = /^\/calls\/(\d+)\/signal$/

type Member = { userId: number; peerId: string | null; socket: WebSocket }

/** Call id -> its members by user id. */
const calls = new Map<number, Map<number, Member>>()

function join(socket: WebSocket, callId: number, member: Member) {
  const members = calls.get(callId) ?? new Map<number, Member>()
  calls.set(callId, members)
  members.set(member.userId, member)
  socket.send(JSON.stringify({ type: 'welcome', self: { userId: member.userId } }))
  socket.on('message', (data) => relay(members, member, data.toString()))
  socket.on('close', () => {
    if (members.get(member.userId) === member) members.delete(member.userId)
    if (members.size === 0) calls.delete(callId)
  })
}

function relay(members: Map<number, Member>, from: Member, text: string) {
  let frame: any
  try {
    frame = JSON.parse(text)
  } catch {
    return
  }
  if (frame.type === 'signal') {
    const relayed = { type: 'signal', from: from.userId, fromPeer: from.peerId, data: frame.data }
    members.get(frame.to)?.socket.send(JSON.stringify(relayed))
  } else if (frame.type === 'media') {
    const payload = JSON.stringify({ type: 'media', userId: from.userId, audio: frame.audio, video: frame.video, screen: frame.screen })
    for (const member of members.values()) {
      if (member !== from) member.socket.send(payload)
    }
  }
}

const server = http.createServer((_request, response) => response.writeHead(404).end())
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024, perMessageDeflate: false })
wss.on('connection', (socket, request) => {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const match = SIGNAL_PATH.exec(url.pathname)
  const userId = Number(url.searchParams.get('user'))
  if (!match || !userId) return socket.close(4404, 'No such call')
  join(socket, Number(match[1]), { userId, peerId: url.searchParams.get('peer'), socket })
})
server.listen(port, '127.0.0.1', () => process.send?.({ ready: port }))
process.on('SIGTERM', () => process.exit(0))
