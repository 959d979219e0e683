import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Message from '#models/message'

/**
 * The recording behind a voice or video message: where its file is on the drive disk, and what
 * the server measured from its bytes (type, size, duration, a voice message's waveform).
 */
export default class MessageMedia extends BaseModel {
  static table = 'message_media'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare messageId: number

  @column({ serializeAs: null })
  declare storageKey: string

  @column()
  declare mimeType: string

  @column()
  declare byteSize: number

  @column()
  declare durationMs: number

  /** Kept as JSON text: one column on SQLite and MySQL alike, read whole with its message. */
  @column({
    prepare: (value: number[] | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? (JSON.parse(value) as number[]) : null),
  })
  declare peaks: number[] | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => Message)
  declare message: BelongsTo<typeof Message>

  /** A file name for the disk: the channel groups a channel's files, the UUID cannot be guessed. */
  static storageKeyFor(channelId: number, extension: string) {
    return `media/${channelId}/${crypto.randomUUID()}.${extension}`
  }
}
