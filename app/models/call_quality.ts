import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Call from '#models/call'
import type { CandidateType } from '#helpers/quality_report'

/**
 * The quality of one participant's connection to one other participant, as that participant's
 * browser measured it: aggregates of every report it sent (the first connect time, worst and
 * mean figures, frame counts), one row per call, participant and peer.
 */
export default class CallQuality extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare callId: number

  @column()
  declare userId: number

  @column()
  declare peerUserId: number

  @column()
  declare samples: number

  @column()
  declare connectMs: number | null

  @column()
  declare localCandidateType: CandidateType

  @column()
  declare remoteCandidateType: CandidateType

  @column({ consume: Boolean })
  declare relayed: boolean

  @column()
  declare rttMsMax: number | null

  @column()
  declare rttMsSum: number

  @column()
  declare rttSamples: number

  @column()
  declare lossPercentMax: number | null

  @column()
  declare lossPercentSum: number

  @column()
  declare lossSamples: number

  @column()
  declare jitterMsMax: number | null

  @column()
  declare jitterMsSum: number

  @column()
  declare jitterSamples: number

  @column({ consume: Number })
  declare framesDecoded: number

  @column({ consume: Number })
  declare framesDropped: number

  @column()
  declare frameWidth: number | null

  @column()
  declare frameHeight: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'peerUserId' })
  declare peer: BelongsTo<typeof User>

  get rttMsMean() {
    return mean(this.rttMsSum, this.rttSamples)
  }

  get lossPercentMean() {
    return mean(this.lossPercentSum, this.lossSamples)
  }

  get jitterMsMean() {
    return mean(this.jitterMsSum, this.jitterSamples)
  }
}

function mean(sum: number, count: number) {
  return count > 0 ? Number(sum) / count : null
}
