import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The Janus VideoRoom a call runs through when it uses the SFU (docs/sfu.md): which Janus server
 * (its URL as configured in JANUS_URLS) and the room's id there. Null for a mesh call. Kept with
 * the call so that every Confab instance finds the same room.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('calls', (table) => {
      table.integer('sfu_room_id').unsigned().nullable()
      table.string('sfu_server', 255).nullable()
    })
  }

  async down() {
    this.schema.alterTable('calls', (table) => {
      table.dropColumn('sfu_room_id')
      table.dropColumn('sfu_server')
    })
  }
}
