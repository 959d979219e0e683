import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasOne } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Channel from '#models/channel'
import Call from '#models/call'
import MessageMedia from '#models/message_media'

/** What a timeline entry holds: words, a voice recording or a video recording. */
export type MessageKind = 'text' | 'voice' | 'video'

/** Something someone said in a channel. Ordered by id, which only grows. */
export default class Message extends BaseModel {
  static readonly MAX_LENGTH = 4000
  static readonly PAGE_SIZE = 50

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare channelId: number

  @column()
  declare userId: number | null

  @column()
  declare body: string

  /** text, or voice/video with its recording in `media` (docs/media_messages.md). */
  @column()
  declare kind: MessageKind

  /** Set when this timeline entry stands for a call. */
  @column()
  declare callId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => User)
  declare author: BelongsTo<typeof User>

  @belongsTo(() => Channel)
  declare channel: BelongsTo<typeof Channel>

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @hasOne(() => MessageMedia)
  declare media: HasOne<typeof MessageMedia>

  /** A voice or video message (its file goes with it). */
  get isMedia() {
    return this.kind === 'voice' || this.kind === 'video'
  }

  /** A call's timeline entry stands for the call: it goes with the call, never alone. */
  get isCallEntry() {
    return this.callId !== null
  }

  /**
   * A message of one of `user`'s channels, with its recording: anyone else's gets a 404, as
   * for channels (no hint that the message exists).
   */
  static findForMember(user: User, id: number | string) {
    return Message.query()
      .where('id', id)
      .whereIn('channel_id', (memberships) => memberships.from('memberships').select('channel_id').where('user_id', user.id))
      .preload('media')
      .firstOrFail()
  }

  /**
   * One page of a channel's timeline, oldest first, ending just before `before` (or at the
   * newest message). Keyset paging on the id keeps every page as fast as the first.
   */
  static async pageOf(channel: Channel, before?: number) {
    // Only the columns the timeline shows (frags/message, frags/call_message): each timestamp
    // left out is a date not parsed, 50 to 100 times a page (bench: pages).
    const rows = await Message.query()
      .select('id', 'channel_id', 'user_id', 'body', 'kind', 'call_id', 'created_at')
      .where('channel_id', channel.id)
      .if(before, (query) => query.where('id', '<', before!))
      .preload('author', (author) => author.select('id', 'full_name'))
      .preload('call', (call) =>
        call
          .select('id', 'channel_id', 'initiator_id', 'kind', 'status', 'answered_at', 'ended_at')
          .preload('initiator', (initiator) => initiator.select('id', 'full_name'))
          .preload('participants', (participants) => participants.select('id', 'call_id', 'joined_at'))
      )
      .preload('media')
      .orderBy('id', 'desc')
      .limit(Message.PAGE_SIZE + 1)
    const hasOlder = rows.length > Message.PAGE_SIZE
    const messages = rows.slice(0, Message.PAGE_SIZE).reverse()
    return { messages, hasOlder }
  }
}
