import { Emitter } from './emitter.js'

type Events = { speaker: number | null }

/**
 * Finds the active speaker: measures the audio level of each participant's stream with a Web
 * Audio analyser a few times a second, and names the loudest one above a speaking threshold
 * (held briefly so the highlight does not flicker between words).
 */
export class SpeakerDetector extends Emitter<Events> {
  #context: AudioContext | null = null
  #analysers = new Map<number, { analyser: AnalyserNode; source: MediaStreamAudioSourceNode; stream: MediaStream }>()
  #timer: ReturnType<typeof setInterval> | null = null
  #speaker: number | null = null
  #quietTicks = 0

  constructor(
    private createContext: () => AudioContext = () => new AudioContext(),
    private threshold = 0.02
  ) {
    super()
  }

  watch(id: number, stream: MediaStream | null) {
    const current = this.#analysers.get(id)
    if (current?.stream === stream) return
    this.unwatch(id)
    if (!stream || stream.getAudioTracks().length === 0) return
    this.#context ??= this.createContext()
    const source = this.#context.createMediaStreamSource(stream)
    const analyser = this.#context.createAnalyser()
    analyser.fftSize = 512
    source.connect(analyser)
    this.#analysers.set(id, { analyser, source, stream })
    this.#timer ??= setInterval(() => this.#tick(), 250)
  }

  unwatch(id: number) {
    const entry = this.#analysers.get(id)
    entry?.source.disconnect()
    this.#analysers.delete(id)
  }

  /** Root-mean-square level, 0 (silence) to 1 (full scale). */
  level(id: number) {
    const entry = this.#analysers.get(id)
    if (!entry) return 0
    const samples = new Float32Array(entry.analyser.fftSize)
    entry.analyser.getFloatTimeDomainData(samples)
    let sum = 0
    for (const sample of samples) sum += sample * sample
    return Math.sqrt(sum / samples.length)
  }

  #tick() {
    let loudest: number | null = null
    let loudestLevel = this.threshold
    for (const id of this.#analysers.keys()) {
      const level = this.level(id)
      if (level > loudestLevel) {
        loudest = id
        loudestLevel = level
      }
    }
    if (loudest === null && this.#speaker !== null && ++this.#quietTicks < 4) return
    this.#quietTicks = 0
    if (loudest !== this.#speaker) {
      this.#speaker = loudest
      this.emit('speaker', loudest)
    }
  }

  close() {
    if (this.#timer) clearInterval(this.#timer)
    for (const id of [...this.#analysers.keys()]) this.unwatch(id)
    void this.#context?.close().catch(() => {})
    this.#context = null
  }
}
