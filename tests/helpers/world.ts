import testUtils from '@adonisjs/core/services/test_utils'
import ringTimer from '#services/ring_timer'
import callHub from '#signaling/call_hub'
import type { Group } from '@japa/runner/core'
import Channel from '#models/channel'
import User from '#models/user'
import Membership from '#models/membership'
import { ChannelFactory } from '#database/factories/channel_factory'
import { UserFactory } from '#database/factories/user_factory'

/**
 * Every functional test starts from empty tables. Truncation (not a rolled-back transaction)
 * because requests commit for real: listeners run after commit exactly as in production.
 * Ring timers and call sockets of a test go with its data, so none reaches into the next test.
 */
export function withCleanDatabase(group: Group) {
  group.each.setup(() => testUtils.db().truncate())
  group.each.teardown(() => {
    ringTimer.shutdown()
    callHub.shutdown()
  })
}

/** A channel with the given members (the first one created it). */
export async function channelWith(members: User[], kind: 'public' | 'private' = 'public') {
  const channel = await ChannelFactory.merge({ kind, createdById: members[0]?.id ?? null }).create()
  for (const member of members) {
    await Membership.create({ channelId: channel.id, userId: member.id })
  }
  return channel
}

export async function people(count: number) {
  return UserFactory.createMany(count)
}

export type { Channel, User }
