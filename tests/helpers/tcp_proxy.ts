import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { once } from 'node:events'

/**
 * A TCP relay in front of a real server (the test's MariaDB) that a test can cut and mend, as a
 * network partition does: `blackHole()` freezes every open connection (nothing is forwarded
 * either way, nothing is closed) and accepts new ones without ever answering; `restore()`
 * forwards again. With no target it is a black hole from the start: a database that accepts
 * connections and never says a word.
 */
export class TcpProxy {
  #server: Server
  #pairs = new Set<{ client: Socket; upstream: Socket }>()
  #held = new Set<Socket>()
  #forwarding: boolean

  constructor(private target?: { host: string; port: number }) {
    this.#forwarding = Boolean(target)
    this.#server = createServer((client) => this.#accept(client))
  }

  /** Listens on a free loopback port and returns it. */
  async listen() {
    this.#server.listen(0, '127.0.0.1')
    await once(this.#server, 'listening')
    return (this.#server.address() as AddressInfo).port
  }

  /** Connections the proxy has accepted so far and still holds open. */
  get openConnections() {
    return this.#pairs.size + this.#held.size
  }

  /** New connections go to `target` from now on (a balancer moving off a dead server); open ones stay. */
  retarget(target: { host: string; port: number }) {
    this.target = target
  }

  blackHole() {
    this.#forwarding = false
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream)
      upstream.unpipe(client)
      client.pause()
      upstream.pause()
    }
  }

  restore() {
    if (!this.target) throw new Error('A proxy without a target cannot forward')
    this.#forwarding = true
    for (const { client, upstream } of this.#pairs) {
      client.pipe(upstream)
      upstream.pipe(client)
    }
    // Connections that arrived during the outage were given up by their client long ago.
    for (const socket of this.#held) socket.destroy()
    this.#held.clear()
  }

  async close() {
    for (const { client, upstream } of this.#pairs) {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of this.#held) socket.destroy()
    this.#server.close()
    await once(this.#server, 'close')
  }

  #accept(client: Socket) {
    client.on('error', () => client.destroy())
    if (!this.#forwarding) {
      client.pause()
      this.#held.add(client)
      client.on('close', () => this.#held.delete(client))
      return
    }
    const upstream = connect(this.target!)
    const pair = { client, upstream }
    this.#pairs.add(pair)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      this.#pairs.delete(pair)
    }
    upstream.on('error', drop)
    client.on('close', drop)
    upstream.on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  }
}

/** A loopback port where nothing listens (taken from the OS, then released). */
export async function deadPort() {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}
