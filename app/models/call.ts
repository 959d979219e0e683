import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import Channel from '#models/channel'
import CallParticipant from '#models/call_participant'
import { sqlDateTime } from '#helpers/sql_time'
import { endedNotice } from '#helpers/display_text'
import type { CallEndReasonName, CallKindName, CallStatusName } from '#realtime/sse_payloads'

// Declared with the SSE payloads, which the browser reads (one list of statuses, not two).
export type CallKind = CallKindName
export type CallStatus = CallStatusName
export type CallEndReason = CallEndReasonName

/**
 * A call in a channel. It rings (`ringing`), becomes `active` at the first answer and `ended`
 * when the last person leaves or the initiator ends it for everyone. A call nobody ever answered
 * ends as `missed` (ring timeout), `declined` (everyone declined) or `cancelled` (the initiator
 * hung up first).
 */
export default class Call extends BaseModel {
  static readonly LIVE_STATUSES: CallStatus[] = ['ringing', 'active']

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare channelId: number

  @column()
  declare initiatorId: number | null

  @column()
  declare kind: CallKind

  @column()
  declare status: CallStatus

  @column()
  declare liveChannelId: number | null

  @column.dateTime()
  declare ringExpiresAt: DateTime | null

  @column.dateTime()
  declare answeredAt: DateTime | null

  @column.dateTime()
  declare endedAt: DateTime | null

  @column()
  declare endedById: number | null

  @column()
  declare endReason: CallEndReason | null

  /** The Janus VideoRoom this call runs through (docs/sfu.md); null while it is a mesh. */
  @column()
  declare sfuRoomId: number | null

  /** Which Janus holds that room: its URL as listed in JANUS_URLS. */
  @column()
  declare sfuServer: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => Channel)
  declare channel: BelongsTo<typeof Channel>

  @belongsTo(() => User, { foreignKey: 'initiatorId' })
  declare initiator: BelongsTo<typeof User>

  @hasMany(() => CallParticipant)
  declare participants: HasMany<typeof CallParticipant>

  get isLive() {
    return Call.LIVE_STATUSES.includes(this.status)
  }

  /** Seconds from the first answer to the end (or to now while it runs); null if never answered. */
  durationSeconds(now: DateTime = DateTime.now()) {
    if (!this.answeredAt) return null
    const end = this.endedAt ?? now
    return Math.max(0, Math.round(end.diff(this.answeredAt, 'seconds').seconds))
  }

  /**
   * Loads a call through the person's channel memberships: anyone who is not a member of the
   * call's channel gets a 404.
   */
  static findForMember(user: User, id: number | string) {
    return Call.query()
      .where('calls.id', id)
      .whereExists((query) => {
        query
          .from('memberships')
          .whereColumn('memberships.channel_id', 'calls.channel_id')
          .where('memberships.user_id', user.id)
      })
      .firstOrFail()
  }

  /** The channel's live call (ringing or active), if any: a channel has at most one. */
  static liveIn(channel: Channel, trx?: TransactionClientContract) {
    return Call.query({ client: trx }).where('live_channel_id', channel.id).first()
  }

  /**
   * Reads the call inside a transaction with its row locked (FOR UPDATE on MySQL; SQLite runs
   * one write transaction at a time), so every transition sees the latest state and two racing
   * requests (two accepts, accept vs end, decline vs timeout) are applied one after the other.
   */
  static lockForTransition(trx: TransactionClientContract, id: number) {
    return Call.query({ client: trx }).where('id', id).forUpdate().first()
  }

  /**
   * How the call's end reads on its page, for `viewerId`. Rendered from the record rather than
   * flashed: the page's own live requests (the participant list refreshing on `call.ended`) race
   * the redirect after "End for everyone" and would consume a flash message before it is shown.
   */
  endedNoticeFor(viewerId: number): string | null {
    if (this.isLive) return null
    if (this.endReason === 'ended_by_initiator' && this.endedById === viewerId) return 'You ended the call for everyone.'
    // The same words the live room shows when the end reaches it over SSE or the call socket.
    return endedNotice(this.endReason)
  }

  /**
   * Ends the call: it leaves the "live" unique index, its ringing phase stops, and whoever is
   * still in it is marked as having left.
   */
  async finish(
    trx: TransactionClientContract,
    status: Exclude<CallStatus, 'ringing' | 'active'>,
    reason: CallEndReason,
    endedById: number | null = null
  ) {
    const now = DateTime.now()
    this.useTransaction(trx)
    this.status = status
    this.endReason = reason
    this.endedAt = now
    this.endedById = endedById
    this.liveChannelId = null
    this.ringExpiresAt = null
    await this.save()
    await CallParticipant.query({ client: trx })
      .where({ callId: this.id, status: 'joined' })
      .update({ status: 'left', leftAt: sqlDateTime(now) })
  }
}
