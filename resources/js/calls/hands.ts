import { Emitter } from './emitter.js'
import type { SignalingClient } from './signaling_client.js'
import type { Reaction } from '../../../app/signaling/protocol.js'

/** A reaction floating over its sender's tile until it expires. */
export type FloatingReaction = { id: number; userId: number; emoji: Reaction }

/** Raised hands, oldest first, and the reactions on screen now. */
export type HandsState = { raised: Array<{ userId: number; raisedAt: string }>; reactions: FloatingReaction[] }

type Events = { change: HandsState }

export type HandsOptions = {
  signaling: Pick<SignalingClient, 'on' | 'send'>
  /** How long a reaction floats (the CSS animation lasts as long). */
  floatMs?: number
  setTimer?: (run: () => void, ms: number) => unknown
}

/**
 * Raised hands and reactions as the call socket tells them (docs/signaling.md): the server is
 * the only source, so every page, the owner's too, shows a hand once the server has it. The
 * welcome brings the hands already up (after a reconnect as well); a person who leaves takes
 * their hand with them.
 */
export class Hands extends Emitter<Events> {
  #raised = new Map<number, string>()
  #reactions: FloatingReaction[] = []
  #nextId = 1
  #selfId: number | null = null
  #floatMs: number
  #setTimer: (run: () => void, ms: number) => unknown

  constructor(private options: HandsOptions) {
    super()
    this.#floatMs = options.floatMs ?? 4000
    this.#setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms))
    const { signaling } = options
    signaling.on('welcome', (frame) => {
      this.#selfId = frame.self.userId
      this.#raised.clear()
      for (const person of frame.participants) if (person.handRaisedAt) this.#raised.set(person.userId, person.handRaisedAt)
      this.#changed()
    })
    signaling.on('participant.joined', ({ participant }) => {
      if (participant.handRaisedAt) this.#raised.set(participant.userId, participant.handRaisedAt)
      else this.#raised.delete(participant.userId)
      this.#changed()
    })
    signaling.on('participant.left', ({ userId }) => {
      if (this.#raised.delete(userId)) this.#changed()
    })
    signaling.on('hand', ({ userId, raised, raisedAt }) => {
      if (raised && raisedAt) this.#raised.set(userId, raisedAt)
      else this.#raised.delete(userId)
      this.#changed()
    })
    signaling.on('reaction', ({ userId, emoji }) => this.#float(userId, emoji))
  }

  get state(): HandsState {
    const raised = [...this.#raised].map(([userId, raisedAt]) => ({ userId, raisedAt }))
    raised.sort((a, b) => Date.parse(a.raisedAt) - Date.parse(b.raisedAt) || a.userId - b.userId)
    return { raised, reactions: [...this.#reactions] }
  }

  isRaised(userId: number) {
    return this.#raised.has(userId)
  }

  /** My own hand, up or down (the server answers with the `hand` frame that changes the state). */
  toggleMine() {
    if (this.#selfId === null) return false
    return this.options.signaling.send({ type: 'hand', raised: !this.#raised.has(this.#selfId) })
  }

  /** Lowers someone else's hand: the server accepts it from the call's initiator only. */
  lower(userId: number) {
    return this.options.signaling.send(userId === this.#selfId ? { type: 'hand', raised: false } : { type: 'hand', raised: false, userId })
  }

  react(emoji: Reaction) {
    return this.options.signaling.send({ type: 'reaction', emoji })
  }

  #float(userId: number, emoji: Reaction) {
    const reaction = { id: this.#nextId++, userId, emoji }
    this.#reactions.push(reaction)
    this.#changed()
    this.#setTimer(() => {
      this.#reactions = this.#reactions.filter((other) => other !== reaction)
      this.#changed()
    }, this.#floatMs)
  }

  #changed() {
    this.emit('change', this.state)
  }
}

/** The people's ids with raised hands first (oldest hand first), the others in their order. */
export function handsFirst(userIds: number[], raised: HandsState['raised']) {
  const up = raised.map((hand) => hand.userId).filter((userId) => userIds.includes(userId))
  return [...up, ...userIds.filter((userId) => !up.includes(userId))]
}
