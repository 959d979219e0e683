/**
 * A ringtone synthesized with the Web Audio API (no audio file to ship): the classic two-tone
 * ring, 440 Hz + 480 Hz, two short bursts every three seconds. `start()` and `stop()` are safe to
 * call repeatedly.
 */
export type AudioContextFactory = () => AudioContext

export class Ringtone {
  #context: AudioContext | null = null
  #interval: ReturnType<typeof setInterval> | null = null

  constructor(private createContext: AudioContextFactory = () => new AudioContext()) {}

  get playing() {
    return this.#context !== null
  }

  start() {
    if (this.#context) return
    const context = this.createContext()
    this.#context = context
    // Browsers keep audio suspended until the page has had a user gesture; the modal still
    // shows, and the tone starts as soon as the browser allows it.
    void context.resume?.().catch(() => {})
    this.#ring(context)
    this.#interval = setInterval(() => this.#ring(context), 3000)
  }

  stop() {
    if (this.#interval) clearInterval(this.#interval)
    this.#interval = null
    const context = this.#context
    this.#context = null
    void context?.close().catch(() => {})
  }

  #ring(context: AudioContext) {
    const start = context.currentTime + 0.05
    for (const offset of [0, 0.6]) this.#burst(context, start + offset, 0.4)
  }

  #burst(context: AudioContext, at: number, length: number) {
    const gain = context.createGain()
    gain.gain.setValueAtTime(0, at)
    gain.gain.linearRampToValueAtTime(0.12, at + 0.02)
    gain.gain.setValueAtTime(0.12, at + length - 0.05)
    gain.gain.linearRampToValueAtTime(0, at + length)
    gain.connect(context.destination)
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator()
      oscillator.frequency.value = frequency
      oscillator.connect(gain)
      oscillator.start(at)
      oscillator.stop(at + length)
    }
  }
}
