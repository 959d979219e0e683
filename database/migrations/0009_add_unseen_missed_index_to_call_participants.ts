import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The unseen missed calls (the navigation badge on every page, and the Missed tab's "mark as
 * seen") straight from an index. Through (user_id, status, call_id) the database had to read every
 * missed row of the person to test missed_seen_at: 1.5 s for someone with 23,000 missed calls
 * (bench/benchmarks/history.ts).
 */
export default class extends BaseSchema {
  protected tableName = 'call_participants'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.index(['user_id', 'status', 'missed_seen_at'])
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['user_id', 'status', 'missed_seen_at'])
    })
  }
}
