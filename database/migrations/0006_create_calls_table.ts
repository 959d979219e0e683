import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'calls'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.integer('channel_id').unsigned().notNullable().references('channels.id').onDelete('CASCADE')
      table.integer('initiator_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.string('kind', 8).notNullable()
      // ringing -> active -> ended, or missed / declined / cancelled when nobody ever answered.
      table.string('status', 16).notNullable()
      // Equal to channel_id while the call is live (ringing or active), NULL once it is over: the
      // unique index lets the database refuse a second live call in a channel, even when two
      // "Start call" requests race. NULLs do not collide on SQLite or MySQL.
      table.integer('live_channel_id').unsigned().nullable().unique()
      // The ring deadline, stored so any instance (or a restarted one) expires it; NULL once the
      // ringing phase is over.
      table.timestamp('ring_expires_at').nullable()
      table.timestamp('answered_at').nullable()
      table.timestamp('ended_at').nullable()
      table.integer('ended_by_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.string('end_reason', 24).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      // The sweeper: rings past their deadline.
      table.index(['ring_expires_at'])
      // A channel's calls, newest first.
      table.index(['channel_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
