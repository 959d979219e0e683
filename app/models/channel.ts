import { DateTime } from 'luxon'
import { BaseModel, column, hasMany, manyToMany } from '@adonisjs/lucid/orm'
import type { HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Message from '#models/message'
import Membership from '#models/membership'
import { SseChannel } from '#realtime/sse_payloads'

export type ChannelKind = 'public' | 'private' | 'direct'

/**
 * A conversation: a public channel anyone may join, a private one people are invited to, or a
 * two-person direct-message channel.
 */
export default class Channel extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare kind: ChannelKind

  @column()
  declare name: string | null

  @column()
  declare topic: string | null

  @column()
  declare directKey: string | null

  @column()
  declare createdById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @manyToMany(() => User, { pivotTable: 'memberships', pivotTimestamps: true })
  declare members: ManyToMany<typeof User>

  @hasMany(() => Membership)
  declare memberships: HasMany<typeof Membership>

  @hasMany(() => Message)
  declare messages: HasMany<typeof Message>

  /** The key that makes a direct-message channel between two people unique. */
  static directKeyFor(userA: number, userB: number) {
    const [low, high] = userA < userB ? [userA, userB] : [userB, userA]
    return `${low}:${high}`
  }

  /**
   * Loads a channel through the person's own memberships: anyone else gets a 404, so a
   * non-member learns nothing, not even that the channel exists.
   */
  static findForMember(user: User, id: number | string) {
    return user.related('channels').query().where('channels.id', id).firstOrFail()
  }

  /**
   * The sidebar: my channels and direct messages with their unread counts, in one query.
   */
  static async sidebarFor(user: User) {
    const channels = await Channel.query()
      .join('memberships', (join) => {
        join.on('memberships.channel_id', '=', 'channels.id').andOnVal('memberships.user_id', '=', user.id)
      })
      // What the sidebar shows: no timestamps to parse for each channel on every page.
      .select('channels.id', 'channels.kind', 'channels.name')
      .select(
        Channel.query()
          .client.from('messages')
          .count('*')
          .whereColumn('messages.channel_id', 'channels.id')
          .whereRaw('messages.id > coalesce(memberships.last_read_message_id, 0)')
          .where((query) => query.whereNull('messages.user_id').orWhereNot('messages.user_id', user.id))
          .as('unread_count')
      )
      .orderBy('channels.name')
      .orderBy('channels.id')

    // Only direct messages need their members (to be named after the other person); loading
    // the members of every big channel here would be wasted work.
    const directIds = channels.filter((channel) => channel.isDirect).map((channel) => channel.id)
    if (directIds.length > 0) {
      const directs = await Channel.query()
        .select('id')
        .whereIn('id', directIds)
        .preload('members', (members) => members.select('users.id', 'users.full_name'))
      const membersById = new Map(directs.map((direct) => [direct.id, direct.members]))
      for (const channel of channels) {
        if (channel.isDirect) channel.$setRelated('members', membersById.get(channel.id) ?? [])
      }
    }

    const entries = channels.map((channel) => ({
      channel,
      title: channel.titleFor(user),
      unread: Number(channel.$extras.unread_count ?? 0),
    }))
    return {
      channels: entries.filter((entry) => !entry.channel.isDirect),
      directs: entries.filter((entry) => entry.channel.isDirect),
    }
  }

  get isDirect() {
    return this.kind === 'direct'
  }

  get isPublic() {
    return this.kind === 'public'
  }

  /** Name shown to `viewer`: "#general", or the other person's name in a direct message. */
  titleFor(viewer: User) {
    if (!this.isDirect) return this.name ?? ''
    const other = this.members?.find((member) => member.id !== viewer.id)
    return other?.fullName ?? 'Direct message'
  }

  /** The Transmit channel that carries this channel's live events. */
  get broadcastChannel() {
    return SseChannel.channel(this.id)
  }
}
