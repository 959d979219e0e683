import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Admins see the Activity page (docs/admin.md). `first_account` is TRUE on the first account
 * signed up and NULL on every other: its unique index lets exactly one sign-up claim it, even
 * when two race on an empty table (the loser's insert fails and it signs up as a plain account).
 */
export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.boolean('is_admin').notNullable().defaultTo(false)
      table.boolean('first_account').nullable().unique()
    })
    // An existing installation: its oldest account is the first one, as a fresh one would have it.
    this.defer(async (db) => {
      const oldest = await db.from(this.tableName).min('id as id').first()
      if (oldest?.id) await db.from(this.tableName).where('id', oldest.id).update({ is_admin: true, first_account: true })
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropUnique(['first_account'])
      table.dropColumn('first_account')
      table.dropColumn('is_admin')
    })
  }
}
