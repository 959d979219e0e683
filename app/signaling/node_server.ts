import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/**
 * Creates the Node HTTP server AdonisJS serves through, with the call WebSocket attached to its
 * `upgrade` event. Used by bin/server.ts and by the test bootstrap, so both run the same wiring.
 * The handler module is imported on first use: at server creation the app is still booting.
 */
export function createServerWithSignaling(handler: (req: IncomingMessage, res: ServerResponse) => any) {
  const server = createServer(handler)
  server.on('upgrade', (req, socket, head) => {
    // Node removes its own error listener before `upgrade`, and ws adds one only at the
    // handshake: a client that resets the connection while we authenticate would otherwise
    // crash the process with an unhandled 'error'. It can stay for the socket's life: ws
    // handles errors with listeners of its own, and parks a no-op like this one after an error.
    socket.on('error', () => {})
    import('#signaling/upgrade')
      .then(({ handleUpgrade }) => handleUpgrade(req, socket, head))
      .catch(() => socket.destroy())
  })
  return server
}
