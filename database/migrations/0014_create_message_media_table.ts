import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Voice and video messages (docs/media_messages.md). A message says what it is (`kind`); the
 * recording's facts live beside it in `message_media`, one row per media message, gone with its
 * message (ON DELETE CASCADE; the file itself is deleted by the action, after commit). Duration
 * and peaks are computed by the server from the bytes, never taken from the browser.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('messages', (table) => {
      // text | voice | video. A media message's body is empty.
      table.string('kind', 8).notNullable().defaultTo('text')
    })

    this.schema.createTable('message_media', (table) => {
      table.increments('id').notNullable()
      table.integer('message_id').unsigned().notNullable().unique().references('messages.id').onDelete('CASCADE')
      // Where the file is on the drive disk (DRIVE_DISK), e.g. media/12/<uuid>.webm.
      table.string('storage_key', 255).notNullable()
      // Sniffed from the bytes and the tracks (audio/webm, audio/ogg, video/webm).
      table.string('mime_type', 64).notNullable()
      table.integer('byte_size').unsigned().notNullable()
      table.integer('duration_ms').unsigned().notNullable()
      // Voice only: the waveform, a JSON array of 0..1 values (null for video).
      table.text('peaks').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable('message_media')
    this.schema.alterTable('messages', (table) => table.dropColumn('kind'))
  }
}
