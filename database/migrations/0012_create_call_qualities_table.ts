import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Call quality as the browsers report it (docs/calls.md, "Call quality"): one row per call
 * participant and remote peer, updated in place by each report (aggregates, not samples). Also
 * what the Activity page (docs/admin.md) reads cheaply: which participants were rung, and calls
 * by creation time.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('call_qualities', (table) => {
      table.increments('id').notNullable()
      table.integer('call_id').unsigned().notNullable().references('calls.id').onDelete('CASCADE')
      // The participant whose browser measured, and the one at the other end of the connection.
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.integer('peer_user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.integer('samples').unsigned().notNullable().defaultTo(0)
      // Accept/Join click to first remote media, from the first report only (null when this side
      // did not join after the peer: the later joiner measures).
      table.integer('connect_ms').unsigned().nullable()
      // host | srflx | prflx | relay, as last reported; `relayed` once any report went through TURN.
      table.string('local_candidate_type', 8).notNullable()
      table.string('remote_candidate_type', 8).notNullable()
      table.boolean('relayed').notNullable().defaultTo(false)
      // Worst value, and sum with its count for the mean (reports may omit a figure).
      table.double('rtt_ms_max').nullable()
      table.double('rtt_ms_sum').notNullable().defaultTo(0)
      table.integer('rtt_samples').unsigned().notNullable().defaultTo(0)
      table.double('loss_percent_max').nullable()
      table.double('loss_percent_sum').notNullable().defaultTo(0)
      table.integer('loss_samples').unsigned().notNullable().defaultTo(0)
      table.double('jitter_ms_max').nullable()
      table.double('jitter_ms_sum').notNullable().defaultTo(0)
      table.integer('jitter_samples').unsigned().notNullable().defaultTo(0)
      table.bigInteger('frames_decoded').unsigned().notNullable().defaultTo(0)
      table.bigInteger('frames_dropped').unsigned().notNullable().defaultTo(0)
      // The received video's size in the latest report that had one.
      table.integer('frame_width').unsigned().nullable()
      table.integer('frame_height').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      // One row per participant and peer (the upsert's key); a call's rows by its prefix.
      table.unique(['call_id', 'user_id', 'peer_user_id'])
    })

    this.schema.alterTable('call_participants', (table) => {
      // Rung by the call's start (not the initiator, not someone who joined from the banner):
      // the Activity page's answer rate is the share of these who joined.
      table.boolean('rang').notNullable().defaultTo(false)
    })
    this.defer(async (db) => {
      // Existing calls, as well as they can be told apart: an invitee who never joined, or
      // joined after being invited, was rung (one who joined from the banner has joined_at =
      // invited_at; an answer within the same second is missed here).
      await db.rawQuery(
        `update call_participants set rang = ? where (joined_at is null or joined_at > invited_at)
         and user_id <> (select coalesce(initiator_id, 0) from calls where calls.id = call_participants.call_id)`,
        [true]
      )
    })

    this.schema.alterTable('calls', (table) => {
      // Calls today, this week, per day: ranges on the creation time.
      table.index(['created_at'])
    })
  }

  async down() {
    this.schema.alterTable('calls', (table) => table.dropIndex(['created_at']))
    this.schema.alterTable('call_participants', (table) => table.dropColumn('rang'))
    this.schema.dropTable('call_qualities')
  }
}
