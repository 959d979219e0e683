import app from '@adonisjs/core/services/app'
import callsConfig from '#config/calls'
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
  // Only the truncation after each test, as testUtils.db().truncate() schedules it, without its
  // migration:run before each test: the runner's setup migrated already, and on MySQL that run
  // takes a server-wide advisory lock through whichever pooled connection is free, so a query
  // still running from the previous test could make the release land on another connection
  // ("unable to release database lock") and leave the lock held for every other process.
  group.each.setup(() => async () => {
    const ace = await app.container.make('ace')
    const command = await ace.exec('db:truncate', [])
    if (command.exitCode) throw command.error ?? new Error('db:truncate failed')
  })
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

/**
 * Rings that last `seconds` for a test (restored after it): on two shared cores, pages that
 * accept one after another can take longer than a ring lasts (CALL_RING_TIMEOUT, 30 s).
 */
export function ringsLasting(seconds: number, cleanup: (fn: () => void) => void) {
  const ringTimeout = callsConfig.ringTimeoutSeconds
  callsConfig.ringTimeoutSeconds = seconds
  cleanup(() => {
    callsConfig.ringTimeoutSeconds = ringTimeout
  })
}
