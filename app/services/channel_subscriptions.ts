import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Who holds which Transmit subscription to a Confab channel. Transmit checks the right to
 * subscribe only once, at subscription; when someone leaves a channel their open pages must stop
 * receiving it at once, so their subscriptions are dropped here.
 */
class ChannelSubscriptions {
  /** "channels/7" -> user id -> that user's stream uids. */
  #holders = new Map<string, Map<number, Set<string>>>()

  constructor() {
    transmit.on('subscribe', ({ uid, channel, context }) => {
      const userId = (context as HttpContext).auth?.user?.id
      if (!channel.startsWith('channels/') || userId === undefined) return
      const users = this.#holders.get(channel) ?? new Map<number, Set<string>>()
      this.#holders.set(channel, users)
      const uids = users.get(userId) ?? new Set<string>()
      users.set(userId, uids)
      uids.add(uid)
    })
    transmit.on('unsubscribe', ({ uid, channel }) => this.#forget(channel, uid))
    transmit.on('disconnect', ({ uid }) => {
      for (const channel of this.#holders.keys()) this.#forget(channel, uid)
    })
  }

  /** Stops delivering `channel` to every open page of `userId`. */
  async drop(channel: string, userId: number, context: HttpContext) {
    const uids = [...(this.#holders.get(channel)?.get(userId) ?? [])]
    for (const uid of uids) await transmit.unsubscribe({ uid, channel, context })
    this.#holders.get(channel)?.delete(userId)
  }

  #forget(channel: string, uid: string) {
    const users = this.#holders.get(channel)
    if (!users) return
    for (const [userId, uids] of users) {
      uids.delete(uid)
      if (uids.size === 0) users.delete(userId)
    }
    if (users.size === 0) this.#holders.delete(channel)
  }
}

const channelSubscriptions = new ChannelSubscriptions()
export default channelSubscriptions
