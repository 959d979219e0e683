import type User from '#models/user'
import type Channel from '#models/channel'
import Membership from '#models/membership'

/**
 * Makes `user` a member of `channel`. Joining twice is harmless: the unique (channel, user)
 * index settles a double click racing itself.
 */
export default class JoinChannel {
  async handle(user: User, channel: Channel) {
    try {
      return await Membership.firstOrCreate({ channelId: channel.id, userId: user.id })
    } catch (error) {
      const existing = await Membership.query().where({ channelId: channel.id, userId: user.id }).first()
      if (existing) return existing
      throw error
    }
  }
}
