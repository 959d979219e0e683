import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'call_participants'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.integer('call_id').unsigned().notNullable().references('calls.id').onDelete('CASCADE')
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      // ringing | joined | left | declined | missed
      table.string('status', 16).notNullable()
      // Rang while already in another live call.
      table.boolean('busy').notNullable().defaultTo(false)
      table.timestamp('invited_at').nullable()
      table.timestamp('joined_at').nullable()
      table.timestamp('left_at').nullable()
      table.boolean('audio_enabled').notNullable().defaultTo(true)
      table.boolean('video_enabled').notNullable().defaultTo(false)
      table.boolean('screen_sharing').notNullable().defaultTo(false)
      table.timestamp('missed_seen_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['call_id', 'user_id'])
      // My call history, newest first (keyset on call_id).
      table.index(['user_id', 'call_id'])
      // My missed calls, newest first, and the unseen count.
      table.index(['user_id', 'status', 'call_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
