import Sqlite from 'better-sqlite3'
import mysql from 'mysql2/promise'
import { Scrypt } from '@adonisjs/core/hash/drivers/scrypt'
import type { Database } from './confab.js'
import { databaseEnv } from './confab.js'

type Row = Record<string, string | number | boolean | null>
export const BENCH_PASSWORD = 'confab-bench'

/**
 * Writes benchmark data straight into Confab's tables (a generator, not fixtures): thousands of
 * people, channels and live calls in seconds instead of thousands of HTTP round trips.
 */
export class BenchDb {
  #passwordHash?: string

  private constructor(
    readonly kind: 'sqlite' | 'mysql',
    private sqlite?: Sqlite.Database,
    private pool?: mysql.Pool
  ) {}

  static async open(database: Database) {
    if (database.connection === 'sqlite') {
      const sqlite = new Sqlite(database.path)
      sqlite.pragma('journal_mode = WAL')
      return new BenchDb('sqlite', sqlite)
    }
    const env = databaseEnv(database)
    const pool = mysql.createPool({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DB_NAME, connectionLimit: 4, multipleStatements: true })
    return new BenchDb('mysql', undefined, pool)
  }

  /** Inserts rows (all with the same columns) and returns their ids, in order. */
  async insert(table: string, rows: Row[]): Promise<number[]> {
    if (!rows.length) return []
    const columns = Object.keys(rows[0])
    const values = (row: Row) => columns.map((column) => (typeof row[column] === 'boolean' ? Number(row[column]) : row[column]))
    if (this.sqlite) {
      const statement = this.sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      const insertAll = this.sqlite.transaction((all: Row[]) => all.map((row) => Number(statement.run(values(row)).lastInsertRowid)))
      return insertAll(rows)
    }
    const ids: number[] = []
    for (let start = 0; start < rows.length; start += 1000) {
      const chunk = rows.slice(start, start + 1000)
      const [result] = await this.pool!.query<mysql.ResultSetHeader>(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [chunk.map(values)])
      // One multi-row INSERT from a single client gets consecutive ids.
      for (let i = 0; i < chunk.length; i++) ids.push(result.insertId + i)
    }
    return ids
  }

  async query<T = any>(sql: string, bindings: unknown[] = []): Promise<T[]> {
    if (this.sqlite) return this.sqlite.prepare(sql).all(...bindings) as T[]
    const [rows] = await this.pool!.query(sql, bindings)
    return rows as T[]
  }

  async execute(sql: string) {
    if (this.sqlite) return void this.sqlite.exec(sql)
    await this.pool!.query(sql)
  }

  /** People `bench-<prefix>-<n>@confab.test`, all with the password BENCH_PASSWORD. */
  async people(count: number, prefix = 'user') {
    this.#passwordHash ??= await new Scrypt({ cost: 16384, blockSize: 8, parallelization: 1, maxMemory: 33554432 }).make(BENCH_PASSWORD)
    const now = timestamp()
    return this.insert(
      'users',
      Array.from({ length: count }, (_, i) => ({ full_name: `Bench ${prefix} ${i + 1}`, email: `bench-${prefix}-${i + 1}@confab.test`, password: this.#passwordHash!, created_at: now, updated_at: now }))
    )
  }

  /** A public channel with these members; returns its id. */
  async channel(name: string, memberIds: number[]) {
    const now = timestamp()
    const [channelId] = await this.insert('channels', [{ kind: 'public', name, topic: null, created_by_id: memberIds[0], created_at: now, updated_at: now }])
    await this.insert('memberships', memberIds.map((userId) => ({ channel_id: channelId, user_id: userId, created_at: now, updated_at: now })))
    return channelId
  }

  /**
   * `count` people in `count / 4` public channels of four (`<prefix>-1`, ...): the shape of the
   * signaling and soak benchmarks' four-person calls.
   */
  async channelsOfFour(count: number, prefix: string) {
    const people = await this.people(count * 4, prefix)
    const channels: { channelId: number; memberIds: number[] }[] = []
    for (let i = 0; i < count; i++) {
      const memberIds = people.slice(i * 4, i * 4 + 4)
      channels.push({ channelId: await this.channel(`${prefix}-${i + 1}`, memberIds), memberIds })
    }
    return channels
  }

  /** An answered, live call in a channel with everyone joined (what the call room sees). */
  async liveCall(channelId: number, participantIds: number[], kind: 'audio' | 'video' = 'video') {
    const now = timestamp()
    const [callId] = await this.insert('calls', [{ channel_id: channelId, initiator_id: participantIds[0], kind, status: 'active', live_channel_id: channelId, answered_at: now, created_at: now, updated_at: now }])
    await this.insert(
      'call_participants',
      participantIds.map((userId) => ({ call_id: callId, user_id: userId, status: 'joined', invited_at: now, joined_at: now, audio_enabled: true, video_enabled: kind === 'video', screen_sharing: false, created_at: now, updated_at: now }))
    )
    return callId
  }

  async close() {
    this.sqlite?.close()
    await this.pool?.end()
  }
}

/** The format Lucid stores timestamps in (UTC). */
export function timestamp(date = new Date()) {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
