import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Call recordings (docs/recording.md). A recording belongs to a call and moves through
 * `recording` → `processing` → `ready` (or `failed`); the row in `processing` IS the pending
 * post-processing job, resumed at boot. Consent is stored per participant of the recording,
 * answered once. Each stretch of one person's publisher that Janus recorded is a track (a
 * person who leaves and comes back gets a second one).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('recordings', (table) => {
      table.increments('id').notNullable()
      table.integer('call_id').unsigned().notNullable().references('calls.id').onDelete('CASCADE')
      table.integer('started_by_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      // recording | processing | ready | failed
      table.string('state', 12).notNullable()
      table.timestamp('started_at').notNullable()
      table.timestamp('stopped_at').nullable()
      // Post-processing: attempts so far, and why the last one failed.
      table.integer('attempts').unsigned().notNullable().defaultTo(0)
      table.string('failure', 500).nullable()
      // The finished file on the drive disk (DRIVE_DISK), e.g. recordings/12/<uuid>.webm.
      table.string('storage_key', 255).nullable()
      table.integer('byte_size').unsigned().nullable()
      table.integer('duration_ms').unsigned().nullable()
      table.timestamp('expires_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['call_id'])
      table.index(['state'])
    })

    this.schema.createTable('recording_consents', (table) => {
      table.increments('id').notNullable()
      table.integer('recording_id').unsigned().notNullable().references('recordings.id').onDelete('CASCADE')
      table.integer('call_participant_id').unsigned().notNullable().references('call_participants.id').onDelete('CASCADE')
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      // null until answered; then true (yes) or false (no), never changed.
      table.boolean('consented').nullable()
      table.timestamp('asked_at').notNullable()
      table.timestamp('answered_at').nullable()
      table.unique(['recording_id', 'user_id'])
    })

    this.schema.createTable('recording_tracks', (table) => {
      table.increments('id').notNullable()
      table.integer('recording_id').unsigned().notNullable().references('recordings.id').onDelete('CASCADE')
      table.integer('user_id').unsigned().notNullable()
      // Janus's file base name: <base>-audio-<mindex>.mjr, <base>-video-<mindex>.mjr
      table.string('base_path', 500).notNullable()
      table.timestamp('started_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('recording_tracks')
    this.schema.dropTable('recording_consents')
    this.schema.dropTable('recordings')
  }
}
