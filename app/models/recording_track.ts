import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/**
 * One stretch of one consenting person's publisher that Janus recorded: its files are
 * `<basePath>-audio-<mindex>.mjr` and `<basePath>-video-<mindex>.mjr`.
 */
export default class RecordingTrack extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare recordingId: number

  @column()
  declare userId: number

  @column()
  declare basePath: string

  @column.dateTime()
  declare startedAt: DateTime
}
