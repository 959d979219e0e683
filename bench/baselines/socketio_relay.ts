/*
| The same bare relay as ws_relay.ts, written the socket.io 4 way (the stack the original app's
| design proposed): WebSocket transport only, the call and person from the handshake query, a
| room per call. A client emits each frame as an event named by its `type` (`signal`, `media`)
| with the frame object as the argument; the relay forwards
|   - `signal`: `{type, from, fromPeer, data}` to the member named by `to`,
|   - `media`: `{type, userId, audio, video, screen}` to the rest of the call's room,
| the same objects the Confab and ws relays send.
|
| Run: node --import=@poppinss/ts-exec bench/baselines/socketio_relay.ts <port>
*/
import http from 'node:http'
import { Server, type Socket } from 'socket.io'

const port = Number(process.argv[2] ?? 3412)

/** Call id -> its members' sockets by user id. */
const calls = new Map<number, Map<number, Socket>>()

const server = http.createServer()
const io = new Server(server, { transports: ['websocket'], maxHttpBufferSize: 64 * 1024, perMessageDeflate: false, serveClient: false })

io.on('connection', (socket) => {
  const callId = Number(socket.handshake.query.call)
  const userId = Number(socket.handshake.query.user)
  const peerId = String(socket.handshake.query.peer ?? '') || null
  if (!callId || !userId) return socket.disconnect(true)
  const room = `call:${callId}`
  const members = calls.get(callId) ?? new Map<number, Socket>()
  calls.set(callId, members)
  members.set(userId, socket)
  socket.join(room)
  socket.emit('welcome', { type: 'welcome', self: { userId } })

  socket.on('signal', (frame: any) => {
    members.get(frame?.to)?.emit('signal', { type: 'signal', from: userId, fromPeer: peerId, data: frame.data })
  })
  socket.on('media', (frame: any) => {
    socket.to(room).emit('media', { type: 'media', userId, audio: frame?.audio, video: frame?.video, screen: frame?.screen })
  })
  socket.on('disconnect', () => {
    if (members.get(userId) === socket) members.delete(userId)
    if (members.size === 0) calls.delete(callId)
  })
})

server.listen(port, '127.0.0.1', () => process.send?.({ ready: port }))
process.on('SIGTERM', () => process.exit(0))
