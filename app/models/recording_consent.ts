import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

/** One participant's answer to "may this call record you?": asked once, answered once. */
export default class RecordingConsent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare recordingId: number

  @column()
  declare callParticipantId: number

  @column()
  declare userId: number

  /** null: not answered yet; true: yes; false: no. */
  @column({ consume: (value) => (value === null ? null : Boolean(value)) })
  declare consented: boolean | null

  @column.dateTime()
  declare askedAt: DateTime

  @column.dateTime()
  declare answeredAt: DateTime | null

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
