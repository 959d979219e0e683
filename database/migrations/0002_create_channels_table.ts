import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'channels'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      // `public` and `private` channels have a unique name; `direct` ones have none.
      table.string('kind', 16).notNullable()
      table.string('name', 80).nullable().unique()
      table.string('topic', 250).nullable()
      // "<smaller user id>:<larger user id>" for direct messages: makes "Message Bob" reuse the
      // existing conversation, enforced by the database even when two requests race.
      table.string('direct_key', 40).nullable().unique()
      table.integer('created_by_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['kind', 'name'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
