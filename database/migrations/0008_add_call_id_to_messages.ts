import { BaseSchema } from '@adonisjs/lucid/schema'

/** A call shows up in its channel's timeline as a message that points at it. */
export default class extends BaseSchema {
  protected tableName = 'messages'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('call_id').unsigned().nullable().references('calls.id').onDelete('CASCADE')
      table.index(['call_id'])
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropForeign(['call_id'])
      table.dropIndex(['call_id'])
      table.dropColumn('call_id')
    })
  }
}
