import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Personal access tokens (@adonisjs/auth's database tokens provider, its own schema): only a
 * hash of each token is kept, so a copy of this table signs nobody in. A token goes with its
 * owner (ON DELETE CASCADE); revoking one deletes its row, so it stops working at once.
 */
export default class extends BaseSchema {
  protected tableName = 'auth_access_tokens'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.integer('tokenable_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE')
      table.string('type').notNullable()
      table.string('name').nullable()
      table.string('hash').notNullable()
      table.text('abilities').notNullable()
      table.timestamp('created_at')
      table.timestamp('updated_at')
      table.timestamp('last_used_at').nullable()
      table.timestamp('expires_at').nullable()
      // The account page lists a person's tokens, and the cap counts them.
      table.index(['tokenable_id', 'type'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
