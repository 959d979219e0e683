import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Call from '#models/call'
import User from '#models/user'
import RecordingConsent from '#models/recording_consent'
import RecordingTrack from '#models/recording_track'

export type RecordingState = 'recording' | 'processing' | 'ready' | 'failed'

/**
 * A call's server-side recording (docs/recording.md): Janus records the publishers of those who
 * consented while it is `recording`; after Stop or the call's end the row is `processing` (the
 * pending job, resumed at boot) until the mixed file is on the drive disk (`ready`).
 */
export default class Recording extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare callId: number

  @column()
  declare startedById: number | null

  @column()
  declare state: RecordingState

  @column.dateTime()
  declare startedAt: DateTime

  @column.dateTime()
  declare stoppedAt: DateTime | null

  @column()
  declare attempts: number

  @column()
  declare failure: string | null

  @column({ serializeAs: null })
  declare storageKey: string | null

  @column()
  declare byteSize: number | null

  @column()
  declare durationMs: number | null

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @belongsTo(() => User, { foreignKey: 'startedById' })
  declare startedBy: BelongsTo<typeof User>

  @hasMany(() => RecordingConsent)
  declare consents: HasMany<typeof RecordingConsent>

  @hasMany(() => RecordingTrack)
  declare tracks: HasMany<typeof RecordingTrack>

  /** The call's recording that is running now, if any (at most one at a time). */
  static runningFor(callId: number) {
    return Recording.query().where({ callId, state: 'recording' }).first()
  }

  /**
   * Loads a recording through the person: only someone who took part in its call (joined it at
   * some point) sees it; anyone else, channel members included, gets a 404.
   */
  static findForParticipant(user: User, id: number | string) {
    return Recording.query()
      .where('recordings.id', id)
      .whereExists((query) => {
        query
          .from('call_participants')
          .whereColumn('call_participants.call_id', 'recordings.call_id')
          .where('call_participants.user_id', user.id)
          .whereNotNull('call_participants.joined_at')
      })
      .firstOrFail()
  }

  /** A file name for the disk: grouped by call, the UUID cannot be guessed. */
  static storageKeyFor(callId: number) {
    return `recordings/${callId}/${crypto.randomUUID()}.webm`
  }
}
