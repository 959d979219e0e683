import type User from '#models/user'
import type Channel from '#models/channel'
import Membership from '#models/membership'

/** Removes `user` from `channel`. Their messages stay in the channel's history. */
export default class LeaveChannel {
  async handle(user: User, channel: Channel) {
    await Membership.query().where({ channelId: channel.id, userId: user.id }).delete()
  }
}
