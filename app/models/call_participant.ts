import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Call, { type CallKind } from '#models/call'
import { sqlDateTime } from '#helpers/sql_time'
import type { ParticipantStatusName } from '#realtime/sse_payloads'

// Declared with the SSE payloads, which the browser reads.
export type ParticipantStatus = ParticipantStatusName

/** One person's part in a call: invited, ringing, in it, gone, or never answered. */
export default class CallParticipant extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare callId: number

  @column()
  declare userId: number

  @column()
  declare status: ParticipantStatus

  @column({ consume: Boolean })
  declare busy: boolean

  /** Rung by the call's start (the Activity page's answer rate: how many of these joined). */
  @column({ consume: Boolean })
  declare rang: boolean

  @column.dateTime()
  declare invitedAt: DateTime | null

  @column.dateTime()
  declare joinedAt: DateTime | null

  @column.dateTime()
  declare leftAt: DateTime | null

  @column({ consume: Boolean })
  declare audioEnabled: boolean

  @column({ consume: Boolean })
  declare videoEnabled: boolean

  @column({ consume: Boolean })
  declare screenSharing: boolean

  @column.dateTime()
  declare missedSeenAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  /** Audio is on when you join; the camera too in a video call. */
  static mediaDefaults(kind: CallKind) {
    return { audioEnabled: true, videoEnabled: kind === 'video', screenSharing: false }
  }

  /** The rings still live for a person, by the server's clock, with what the modal shows. */
  static liveRingsOf(userId: number) {
    return CallParticipant.query()
      .where({ userId, status: 'ringing' })
      .whereHas('call', (query) => {
        query.whereIn('status', Call.LIVE_STATUSES).where('ring_expires_at', '>', sqlDateTime())
      })
      .preload('call', (query) => query.preload('initiator').preload('channel'))
      .orderBy('id')
  }

  /**
   * The live call the person is in right now, if any (the layout's call dock: a reload or a new
   * tab rejoins it). The server refuses a second joined call, so there is at most one.
   */
  static joinedLiveCallOf(userId: number) {
    return CallParticipant.query()
      .where({ userId, status: 'joined' })
      .whereHas('call', (query) => {
        query.whereIn('status', Call.LIVE_STATUSES)
      })
      .preload('call', (query) => query.preload('channel'))
      .orderBy('id', 'desc')
      .first()
  }

  /** How many people were in the call at some point (whoever joined keeps their `joined_at`). */
  static async countWhoJoined(callId: number) {
    const row = await CallParticipant.query().where('call_id', callId).whereNotNull('joined_at').count('* as total').first()
    return Number(row?.$extras.total ?? 0)
  }

  /** Missed calls the person has not looked at yet (the navigation badge). */
  static async unseenMissedCount(userId: number) {
    const row = await CallParticipant.query()
      .where({ userId, status: 'missed' })
      .whereNull('missed_seen_at')
      .count('* as total')
      .first()
    return Number(row?.$extras.total ?? 0)
  }
}
