import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave, column, hasMany, manyToMany } from '@adonisjs/lucid/orm'
import type { HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import type { AccessToken } from '@adonisjs/auth/access_tokens'
import Channel from '#models/channel'
import Membership from '#models/membership'
import { initials } from '#helpers/display_text'
import { AccessTokensProvider } from '#models/access_tokens'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/** A person with an account. Every lookup of channels and messages starts from here. */
export default class User extends compose(BaseModel, AuthFinder) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare fullName: string

  @column()
  declare email: string

  @column({ serializeAs: null })
  declare password: string

  /** Sees the Activity page (docs/admin.md): the first account signed up, or set by the seeder. */
  @column({ consume: Boolean })
  declare isAdmin: boolean

  /** TRUE on the first account signed up only, NULL elsewhere (unique: see SignUp). */
  @column({ consume: (value) => (value === null ? null : Boolean(value)), serializeAs: null })
  declare firstAccount: boolean | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @manyToMany(() => Channel, { pivotTable: 'memberships', pivotTimestamps: true })
  declare channels: ManyToMany<typeof Channel>

  @hasMany(() => Membership)
  declare memberships: HasMany<typeof Membership>

  /** Personal access tokens for other clients (the `api` guard; docs/api.md). */
  static accessTokens = new AccessTokensProvider({ tokenableModel: User })

  /** The token this request (or call socket) was signed in with, set by the `api` guard. */
  declare currentAccessToken?: AccessToken

  /** Emails compare case-insensitively: store them lower-cased. */
  @beforeSave()
  static normalizeEmail(user: User) {
    if (user.$dirty.email) user.email = user.email.trim().toLowerCase()
  }

  /** "Alice Martin" -> "AM", for avatars (the call tiles use the same helper). */
  get initials() {
    return initials(this.fullName)
  }

  /**
   * Up to `limit` people who are not among `ids`, by name, as plain `{ id, fullName }` rows:
   * the "Add someone" list shows nothing else, and 200 hydrated models (two dates parsed each)
   * were most of the channel page's time (bench: pages).
   */
  static async namesNotIn(ids: number[], limit: number) {
    const rows = await User.query()
      .select('id', 'full_name')
      .whereNotIn('id', ids)
      .orderBy('full_name')
      .limit(limit)
      .pojo<{ id: number; full_name: string }>()
    return rows.map((row) => ({ id: row.id, fullName: row.full_name }))
  }

  get firstName() {
    return this.fullName.trim().split(/\s+/)[0] ?? this.fullName
  }
}
