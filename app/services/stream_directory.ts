import { randomUUID } from 'node:crypto'

/** Who opened an SSE stream, and which instance holds it. */
export type StreamOwner = { instance: string; token: string; userId: number; sessionId: string }

/** What another instance asks of the one holding a stream. */
export type StreamCommand =
  | { op: 'subscribe' | 'unsubscribe'; uid: string; channel: string }
  | { op: 'close'; uid: string; token: string }

export type ClaimResult =
  | { status: 'ok'; previous: StreamOwner | null }
  | { status: 'taken' }
  | { status: 'full' }

/** The holder's answer to a command; `unreachable` when no answer came in time. */
export type CommandResult = 'done' | 'gone' | 'unreachable'

/**
 * Every open SSE stream, as all instances see it: uid -> owner (user, session, holding instance),
 * plus each person's live uids for the per-person cap. Commands for a stream held elsewhere go
 * to its holder, which answers. `LocalStreamDirectory` (no Redis) is one process's view;
 * `RedisStreamDirectory` (redis_stream_directory.ts) shares it through Redis, with entries that expire unless their holder
 * refreshes them, so a crashed instance's streams free their slots after `ttlMs`.
 */
export interface StreamDirectory {
  readonly instanceId: string
  readonly ttlMs: number
  /** Registers `uid` for `owner` unless someone else holds it or the person is at `max`. */
  claim(uid: string, owner: StreamOwner, max: number): Promise<ClaimResult>
  /** Forgets `uid` if it is still the stream `token` (a newer stream may have taken it over). */
  release(uid: string, token: string): Promise<void>
  /** Vouches for streams still open here; answers the uids a newer stream took over. */
  refresh(streams: Array<{ uid: string; owner: StreamOwner }>): Promise<string[]>
  ownerOf(uid: string): Promise<StreamOwner | null>
  /** A person's live streams, wherever they are held. */
  streamsOf(userId: number): Promise<Array<{ uid: string; owner: StreamOwner }>>
  /** Asks `instance` to run `command`; resolves with its answer or `unreachable` after `timeoutMs`. */
  send(instance: string, command: StreamCommand, timeoutMs: number): Promise<CommandResult>
  /** Runs commands that other instances send to this one. */
  onCommand(handler: (command: StreamCommand) => Promise<'done' | 'gone'>): void
  close(): Promise<void>
}

/** One process, no Redis: every stream is held here, the cap counts this process only. */
export class LocalStreamDirectory implements StreamDirectory {
  readonly instanceId = randomUUID()
  readonly ttlMs = 0
  #owners = new Map<string, StreamOwner>()
  #byUser = new Map<number, Set<string>>()

  async claim(uid: string, owner: StreamOwner, max: number): Promise<ClaimResult> {
    const current = this.#owners.get(uid) ?? null
    if (current && !sameOwner(current, owner)) return { status: 'taken' }
    const uids = this.#byUser.get(owner.userId) ?? new Set<string>()
    if (!current && uids.size >= max) return { status: 'full' }
    uids.add(uid)
    this.#byUser.set(owner.userId, uids)
    this.#owners.set(uid, owner)
    return { status: 'ok', previous: current }
  }

  async release(uid: string, token: string) {
    const current = this.#owners.get(uid)
    if (current?.token !== token) return
    this.#owners.delete(uid)
    const uids = this.#byUser.get(current.userId)
    uids?.delete(uid)
    if (uids?.size === 0) this.#byUser.delete(current.userId)
  }

  async refresh() {
    return []
  }

  async ownerOf(uid: string) {
    return this.#owners.get(uid) ?? null
  }

  async streamsOf(userId: number) {
    return [...(this.#byUser.get(userId) ?? [])].map((uid) => ({ uid, owner: this.#owners.get(uid)! }))
  }

  async send(): Promise<CommandResult> {
    // Every stream is held here, so there is never anyone else to ask.
    return 'gone'
  }

  onCommand() {}

  async close() {}
}

/** The same person and session (the instance and token may differ: a reconnect). */
function sameOwner(a: StreamOwner, b: StreamOwner) {
  return a.userId === b.userId && a.sessionId === b.sessionId
}
