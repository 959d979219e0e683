import { open, type FileHandle } from 'node:fs/promises'

/** Bytes a reader keeps around its position: element headers are read many times in a row. */
const WINDOW = 64 * 1024

/**
 * Random-access reads of a file through one window of bytes, so a container walk reads a large
 * video in small steps instead of holding it in memory. Past the end it returns what there is
 * (a truncated file is the parser's concern, not an exception here).
 */
export class ByteReader {
  #window = Buffer.alloc(0)
  #windowStart = 0

  private constructor(
    readonly handle: FileHandle,
    readonly size: number
  ) {}

  static async open(path: string) {
    const handle = await open(path, 'r')
    const { size } = await handle.stat()
    return new ByteReader(handle, size)
  }

  /** Up to `length` bytes at `position` (fewer at the end of the file). */
  async bytes(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.size)
    if (position >= end) return Buffer.alloc(0)
    const windowEnd = this.#windowStart + this.#window.length
    if (position >= this.#windowStart && end <= windowEnd) {
      return this.#window.subarray(position - this.#windowStart, end - this.#windowStart)
    }
    if (end - position > WINDOW) {
      const buffer = Buffer.alloc(end - position)
      await this.handle.read(buffer, 0, buffer.length, position)
      return buffer
    }
    const buffer = Buffer.alloc(Math.min(WINDOW, this.size - position))
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position)
    this.#window = buffer.subarray(0, bytesRead)
    this.#windowStart = position
    return this.#window.subarray(0, end - position)
  }

  async close() {
    await this.handle.close()
  }
}
