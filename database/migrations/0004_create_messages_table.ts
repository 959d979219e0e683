import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'messages'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.integer('channel_id').unsigned().notNullable().references('channels.id').onDelete('CASCADE')
      table.integer('user_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.text('body').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      // A channel's timeline is read newest first and paged by id (keyset), and unread counts
      // scan the ids after a member's read marker: both walk this index.
      table.index(['channel_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
