/**
 * Plays a ringtone in one tab only, however many Confab tabs are open: the tab that gets the
 * `confab-ringtone` Web Lock plays, the others stay silent (their modal still shows). Closing the
 * ringing tab releases the lock with it.
 */
type Playable = { start(): void; stop(): void }
type Locks = Pick<LockManager, 'request'>

export class SingleTabRingtone {
  #release: (() => void) | null = null
  #wanted = false

  constructor(
    private ringtone: Playable,
    private locks: Locks | null = globalThis.navigator?.locks ?? null
  ) {}

  /** Resolves once this tab knows whether it is the one that rings. */
  async start() {
    if (this.#wanted) return
    this.#wanted = true
    if (!this.locks) {
      this.ringtone.start()
      this.#release = () => this.ringtone.stop()
      return
    }
    await new Promise<void>((decided) => {
      void this.locks!.request('confab-ringtone', { ifAvailable: true }, async (lock) => {
        if (!lock || !this.#wanted) return decided()
        this.ringtone.start()
        await new Promise<void>((release) => {
          this.#release = release
          decided()
        })
        this.ringtone.stop()
      })
    })
  }

  stop() {
    this.#wanted = false
    const release = this.#release
    this.#release = null
    release?.()
  }
}
