import { Worker } from 'node:worker_threads'
import type { OpusHead } from '#media/opus'

type Pending = { resolve: (peaks: number[]) => void; reject: (error: Error) => void }

/**
 * Computes waveforms off the main thread: one long-lived worker (waveform_worker), started on
 * the first voice message. It holds the process open only while it has work (ref'd then,
 * unref'd when idle), so an idle worker never keeps a stopping process alive. Requests queue in
 * it; a worker that dies fails what it held and is started again for the next one.
 */
class WaveformThread {
  #worker: Worker | null = null
  #pending = new Map<number, Pending>()
  #nextId = 1

  /** The peaks of a voice recording's Opus packets (they are moved to the worker, not copied). */
  peaks(head: OpusHead, packets: Uint8Array[], durationMs: number, bars: number): Promise<number[]> {
    const worker = this.#start()
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.ref()
      const buffers = packets.map((packet) => packet.buffer as ArrayBuffer)
      worker.postMessage({ id, head, packets, durationMs, bars }, buffers)
    })
  }

  #start() {
    if (this.#worker) return this.#worker
    // The source file under ts-exec (dev, tests: workers inherit its hooks), the compiled one in a build.
    const file = import.meta.url.endsWith('.ts') ? './waveform_worker.ts' : './waveform_worker.js'
    const worker = new Worker(new URL(file, import.meta.url))
    worker.on('message', ({ id, peaks, error }: { id: number; peaks?: number[]; error?: string }) => {
      const pending = this.#pending.get(id)
      this.#pending.delete(id)
      if (this.#pending.size === 0) worker.unref()
      if (error !== undefined) pending?.reject(new Error(error))
      else pending?.resolve(peaks!)
    })
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = null
      for (const pending of this.#pending.values()) pending.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`The waveform worker stopped (exit code ${code})`)))
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref()
    this.#worker = worker
    return worker
  }
}

const waveformThread = new WaveformThread()
export default waveformThread
