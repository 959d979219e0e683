/*
| The bare SSE floor for the ring and fan-out benchmarks: Node's `http` and nothing else. It
| holds idle event streams (`GET /events?channel=a&channel=b`), and on a trigger
| (`POST /broadcast {channels, payload}`) writes one event per channel to that channel's
| subscribers, in Transmit's wire format, then answers with how many it wrote. No sessions,
| no authorization, no database: the least any SSE server must do to deliver the same bytes.
|
| Run: node --import=@poppinss/ts-exec bench/baselines/sse_server.ts <port>
*/
import http from 'node:http'

const port = Number(process.argv[2] ?? 3421)

/** Channel name -> the open responses subscribed to it. */
const subscribers = new Map<string, Set<http.ServerResponse>>()

function openStream(request: http.IncomingMessage, response: http.ServerResponse) {
  const channels = new URL(request.url!, 'http://localhost').searchParams.getAll('channel')
  request.socket.setNoDelay(true)
  request.socket.setTimeout(0)
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'connection': 'keep-alive' })
  response.write(':ok\n\n')
  for (const channel of channels) {
    const set = subscribers.get(channel) ?? new Set()
    subscribers.set(channel, set)
    set.add(response)
  }
  response.on('close', () => {
    for (const channel of channels) subscribers.get(channel)?.delete(response)
  })
}

async function broadcast(request: http.IncomingMessage, response: http.ServerResponse) {
  let body = ''
  for await (const chunk of request) body += chunk
  const { channels, payload } = JSON.parse(body) as { channels: string[]; payload: unknown }
  let delivered = 0
  for (const channel of channels) {
    const frame = `data: ${JSON.stringify({ channel, payload })}\n\n`
    for (const subscriber of subscribers.get(channel) ?? []) {
      subscriber.write(frame)
      delivered++
    }
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ delivered }))
}

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url!.startsWith('/events')) return openStream(request, response)
  if (request.method === 'POST' && request.url === '/broadcast') {
    return void broadcast(request, response).catch((error) => response.writeHead(500).end(String(error)))
  }
  if (request.url === '/health') return void response.end('ok')
  response.writeHead(404).end()
})
server.keepAliveTimeout = 60_000
server.listen(port, '127.0.0.1', () => process.send?.({ ready: port }))
process.on('SIGTERM', () => process.exit(0))
