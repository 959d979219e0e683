/** A tiny typed event emitter: `on` returns the unsubscribe function. */
export class Emitter<Events extends Record<string, unknown>> {
  #listeners = new Map<keyof Events, Set<(payload: any) => void>>()

  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void) {
    let set = this.#listeners.get(name)
    if (!set) this.#listeners.set(name, (set = new Set()))
    set.add(listener)
    return () => set!.delete(listener)
  }

  protected emit<Name extends keyof Events>(name: Name, payload: Events[Name]) {
    for (const listener of this.#listeners.get(name) ?? []) listener(payload)
  }
}
