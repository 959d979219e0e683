import factory from '@adonisjs/lucid/factories'
import Channel from '#models/channel'

let sequence = 0

export const ChannelFactory = factory
  .define(Channel, () => {
    sequence += 1
    return { name: `channel-${sequence}`, kind: 'public' as const, topic: null }
  })
  .state('private', (channel) => {
    channel.kind = 'private'
  })
  .build()
