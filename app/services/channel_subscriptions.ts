import liveStreams from '#services/live_streams'

/**
 * Transmit checks the right to a channel only at subscription: when someone leaves a channel,
 * their open pages must stop receiving it at once, on whichever instance holds them.
 */
class ChannelSubscriptions {
  /** Stops delivering `channel` to every open page of `userId`, on every instance. */
  async drop(channel: string, userId: number) {
    await liveStreams.unsubscribeEverywhere(userId, channel)
  }
}

const channelSubscriptions = new ChannelSubscriptions()
export default channelSubscriptions
