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
    const rows = await Message.query()
      .where('channel_id', channel.id)
      .if(before, (query) => query.where('id', '<', before!))
      .preload('author')
      .preload('call', (call) => call.preload('initiator').preload('participants'))
      .preload('media')
      .orderBy('id', 'desc')
      .limit(Message.PAGE_SIZE + 1)
    const hasOlder = rows.length > Message.PAGE_SIZE
    const messages = rows.slice(0, Message.PAGE_SIZE).reverse()
    return { messages, hasOlder }
  }
}
