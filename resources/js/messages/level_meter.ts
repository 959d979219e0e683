/** The part of an AnalyserNode the meter reads. */
export type AnalyserLike = { fftSize: number; getByteTimeDomainData(samples: Uint8Array): void }

/** The part of an AudioContext the meter needs. */
export type MeterAudioContext = {
  createMediaStreamSource(stream: MediaStream): { connect(node: unknown): void; disconnect(): void }
  createAnalyser(): AnalyserLike
  resume(): Promise<void>
  close(): Promise<void>
}

export type MeterOptions = {
  createContext?: () => MeterAudioContext
  /** Calls `run` on the next frame; returns the cancel function. */
  nextFrame?: (run: () => void) => () => void
}

const browserFrame = (run: () => void) => {
  const handle = requestAnimationFrame(run)
  return () => cancelAnimationFrame(handle)
}

/**
 * How loud a block of time-domain samples is, 0 (silence) to 1: their RMS around the
 * 8-bit midpoint, scaled so that speech at a normal distance fills most of the bar.
 */
export function levelOf(samples: Uint8Array) {
  if (samples.length === 0) return 0
  let sum = 0
  for (const sample of samples) {
    const centred = (sample - 128) / 128
    sum += centred * centred
  }
  return Math.min(1, Math.sqrt(sum / samples.length) * 3)
}

/**
 * A live level for the microphone while recording (Web Audio AnalyserNode), handed to
 * `onLevel` once a frame. `stop()` closes its audio context; safe to call twice.
 */
export class LevelMeter {
  #context: MeterAudioContext | null
  #source: ReturnType<MeterAudioContext['createMediaStreamSource']>
  #analyser: AnalyserLike
  #samples: Uint8Array
  #cancelFrame: (() => void) | null = null
  #nextFrame: (run: () => void) => () => void

  constructor(stream: MediaStream, private onLevel: (level: number) => void, options: MeterOptions = {}) {
    this.#context = (options.createContext ?? (() => new AudioContext() as unknown as MeterAudioContext))()
    this.#nextFrame = options.nextFrame ?? browserFrame
    this.#source = this.#context.createMediaStreamSource(stream)
    this.#analyser = this.#context.createAnalyser()
    this.#analyser.fftSize = 512
    this.#samples = new Uint8Array(this.#analyser.fftSize)
    // Analysed, never connected to the speakers: I do not hear myself.
    this.#source.connect(this.#analyser)
    // A context made after the device prompt may start suspended (the click's user activation
    // has expired by then, or never counted, as in Firefox): it would read silence.
    void this.#context.resume().catch(() => {})
    this.#schedule()
  }

  #schedule() {
    this.#cancelFrame = this.#nextFrame(() => {
      if (!this.#context) return
      this.#analyser.getByteTimeDomainData(this.#samples)
      this.onLevel(levelOf(this.#samples))
      this.#schedule()
    })
  }

  stop() {
    if (!this.#context) return
    this.#cancelFrame?.()
    this.#source.disconnect()
    void this.#context.close().catch(() => {})
    this.#context = null
    this.onLevel(0)
  }
}
