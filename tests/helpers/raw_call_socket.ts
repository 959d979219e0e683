import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import type User from '#models/user'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { baseUrl } from '#tests/helpers/call_socket'

/**
 * A call WebSocket spoken by hand over TCP, for a client that misbehaves the way no library
 * lets you: it ignores the server's close frame and keeps writing. It does the handshake with
 * a real session cookie, then reports the server's close code and when its connection ended.
 */
export class RawCallSocket {
  /** The server's close code, once its close frame arrived. */
  closeCode: number | null = null
  closeFrameAt: number | null = null
  endedAt: number | null = null
  ended: Promise<void>
  #closeFrame: Promise<void>

  private constructor(readonly socket: Socket, rest: Buffer) {
    let pending = rest
    let sawClose!: () => void
    this.#closeFrame = new Promise((resolve) => (sawClose = resolve))
    const scan = () => {
      // Server frames are unmasked: byte 0 opcode, byte 1 length (< 126 for a close frame).
      while (pending.length >= 2) {
        const length = pending[1]! & 0x7f
        const header = length === 126 ? 4 : length === 127 ? 10 : 2
        const size = header + (length === 126 ? pending.readUInt16BE(2) : length === 127 ? Number(pending.readBigUInt64BE(2)) : length)
        if (pending.length < size) return
        if ((pending[0]! & 0x0f) === 0x8 && this.closeCode === null) {
          this.closeCode = size >= header + 2 ? pending.readUInt16BE(header) : 1005
          this.closeFrameAt = Date.now()
          sawClose()
        }
        pending = pending.subarray(size)
      }
    }
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk])
      scan()
    })
    this.ended = new Promise((resolve) => {
      socket.once('close', () => {
        this.endedAt = Date.now()
        resolve()
      })
    })
    socket.on('error', () => {})
    scan()
  }

  /** Logs in as `user` and opens `/calls/:id/signal` by hand. */
  static async open(user: User, callId: number) {
    const server = new URL(baseUrl())
    const browser = await new BrowserlessClient(baseUrl()).login(user.email, TEST_PASSWORD)
    const socket = connect({ host: server.hostname, port: Number(server.port) })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('error', reject)
    })
    socket.write(
      [
        `GET /calls/${callId}/signal HTTP/1.1`,
        `Host: ${server.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Origin: ${baseUrl()}`,
        `Cookie: ${browser.cookieHeader}`,
        '',
        '',
      ].join('\r\n')
    )
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let received = Buffer.alloc(0)
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        const end = received.indexOf('\r\n\r\n')
        if (end === -1) return
        socket.off('data', onData)
        const status = received.subarray(0, received.indexOf('\r\n')).toString()
        if (!status.includes(' 101 ')) return reject(new Error(`Handshake refused: ${status}`))
        resolve(received.subarray(end + 4))
      }
      socket.on('data', onData)
    })
    return new RawCallSocket(socket, rest)
  }

  /** Resolves when the server's close frame has arrived. */
  closeFrame() {
    return this.#closeFrame
  }

  /**
   * Writes `count` masked text frames of `bytes` each, as fast as the connection takes them,
   * until done or the connection is gone. Returns the bytes handed to the kernel.
   */
  async flood(count: number, bytes: number) {
    const frame = maskedTextFrame(bytes)
    let written = 0
    for (let index = 0; index < count && !this.socket.destroyed; index++) {
      const more = this.socket.write(frame)
      written += frame.length
      if (!more) {
        await new Promise<void>((resolve) => {
          const done = () => {
            this.socket.off('drain', done)
            this.socket.off('close', done)
            resolve()
          }
          this.socket.once('drain', done)
          this.socket.once('close', done)
        })
      }
    }
    return written - this.socket.writableLength
  }

  destroy() {
    this.socket.destroy()
  }
}

/** A client text frame of `bytes` spaces (masked with a zero key, which leaves them as they are). */
function maskedTextFrame(bytes: number) {
  if (bytes > 0xffff) throw new Error('frames up to 64 KB only')
  const frame = Buffer.alloc(8 + bytes, 0x20)
  frame[0] = 0x81
  frame[1] = 0x80 | 126
  frame.writeUInt16BE(bytes, 2)
  frame.fill(0, 4, 8)
  return frame
}
