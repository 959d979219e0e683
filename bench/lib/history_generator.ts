import mysql from 'mysql2/promise'
import type { BenchDb } from './bench_db.js'
import { databaseEnv, type Database } from './confab.js'

/** What the generator makes (the issue asks for 1M calls and 5M participant rows). */
export const HISTORY_SCALE = { users: 300, channels: 400, membersPerChannel: 8, calls: 1_000_000 }

/** Bumped whenever the generated data changes shape, so an older data set is not reused. */
const GENERATOR_VERSION = 'history-generator v1'
/** Every 10th channel has the focus person as a member: about 10% of all calls ring them. */
const FOCUS_CHANNEL_EVERY = 10
/** Missed calls of the newest this-many calls are still unseen (the badge and the Missed tab). */
const UNSEEN_NEWEST_CALLS = 1_000
const EPOCH = "TIMESTAMP'2024-01-01 00:00:00'"

export type HistoryDataset = {
  focusUserId: number
  calls: number
  participants: number
  focusParticipations: number
  focusMissed: number
  reused: boolean
  generatedInSeconds: number | null
}

/**
 * Generates a call history at scale straight in MariaDB with INSERT ... SELECT over its SEQUENCE
 * engine (`seq_1_to_100000`): a million calls and five million participant rows, in slices of
 * 100,000 calls on two connections, with no row crossing the network.
 *
 * Every figure of a call (its channel, size, outcome, who started it) is a hash of its id, so the
 * participant rows can recompute them without reading the call back. The distribution:
 * - 300 people, 400 channels of 8 members; calls spread evenly over the channels, one a minute
 *   from 2024-01-01 on (about two years);
 * - 2 to 8 participants per call (5 on average: exactly 5,000,000 rows), one of them the caller;
 * - calls end `ended` (70%), `missed` (20%: everyone else missed it) or `declined` (10%); in an
 *   answered call each callee has left (80%), missed it (15%) or declined (5%);
 * - the focus person is a member of every 10th channel: in ~100,000 calls, ~23,000 of them missed,
 *   the missed calls among the newest 1,000 calls not seen yet.
 */
export class HistoryGenerator {
  constructor(private db: BenchDb) {}

  /** The data set already in the database, when a previous run generated all of it. */
  async existing(): Promise<HistoryDataset | null> {
    const [marker] = await this.db.query<{ topic: string }>("SELECT topic FROM channels WHERE name = 'history-1'").catch(() => [])
    if (marker?.topic !== GENERATOR_VERSION) return null
    const dataset = await this.describe(true, null)
    const expectedParticipants = expectedParticipantRows(HISTORY_SCALE.calls)
    return dataset.calls === HISTORY_SCALE.calls && dataset.participants === expectedParticipants ? dataset : null
  }

  /** Whether the server can generate (MariaDB's SEQUENCE engine; MySQL has none). */
  async canGenerate() {
    const engines = await this.db.query("SELECT engine FROM information_schema.engines WHERE engine = 'SEQUENCE' AND support IN ('YES', 'DEFAULT')")
    return engines.length > 0
  }

  /** Generates everything into the (freshly migrated, empty) database. */
  async generate(database: Database): Promise<HistoryDataset> {
    const startedAt = performance.now()
    const [focusUserId] = await this.db.people(HISTORY_SCALE.users, 'history')
    const firstChannelId = await this.insertChannels(focusUserId)
    const layout = new Layout(focusUserId, firstChannelId)
    await this.db.execute(`
      INSERT INTO memberships (channel_id, user_id, created_at, updated_at)
      SELECT c.seq - 1 + ${firstChannelId}, ${layout.member('c.seq', 's.seq')}, ${EPOCH}, ${EPOCH}
      FROM seq_1_to_${HISTORY_SCALE.channels} c JOIN seq_0_to_${HISTORY_SCALE.membersPerChannel - 1} s`)

    // The big tables in slices of 100,000 calls, two statements at a time (one per core). Ids are
    // given, not auto-incremented, so the slices do not queue on the table's AUTO-INC lock.
    const slices: string[] = []
    for (let from = 1; from <= HISTORY_SCALE.calls; from += 100_000) {
      const to = Math.min(HISTORY_SCALE.calls, from + 99_999)
      slices.push(callsSql(layout, from, to), participantsSql(layout, from, to))
    }
    await runOnConnections(database, 2, slices)
    return this.describe(false, (performance.now() - startedAt) / 1000, focusUserId)
  }

  /** Marks the focus person's newest missed calls unseen again, as they were generated. */
  async resetUnseen(focusUserId: number) {
    await this.db.query(
      `UPDATE call_participants SET missed_seen_at = NULL
       WHERE user_id = ? AND status = 'missed' AND call_id > ? AND missed_seen_at IS NOT NULL`,
      [focusUserId, HISTORY_SCALE.calls - UNSEEN_NEWEST_CALLS]
    )
  }

  private async insertChannels(focusUserId: number) {
    await this.db.execute(`
      INSERT INTO channels (kind, name, topic, created_by_id, created_at, updated_at)
      SELECT 'public', CONCAT('history-', seq), '${GENERATOR_VERSION}', ${focusUserId}, ${EPOCH}, ${EPOCH}
      FROM seq_1_to_${HISTORY_SCALE.channels} ORDER BY seq`)
    const [{ first }] = await this.db.query<{ first: number }>("SELECT MIN(id) AS first FROM channels WHERE name LIKE 'history-%'")
    return first
  }

  private async describe(reused: boolean, generatedInSeconds: number | null, focusUserId?: number): Promise<HistoryDataset> {
    focusUserId ??= (await this.db.query<{ id: number }>("SELECT id FROM users WHERE email = 'bench-history-1@confab.test'"))[0].id
    const [{ calls }] = await this.db.query<{ calls: number }>('SELECT COUNT(*) AS calls FROM calls')
    const [{ participants }] = await this.db.query<{ participants: number }>('SELECT COUNT(*) AS participants FROM call_participants')
    const [focus] = await this.db.query<{ total: number; missed: number }>(
      "SELECT COUNT(*) AS total, SUM(status = 'missed') AS missed FROM call_participants WHERE user_id = ?",
      [focusUserId]
    )
    return {
      focusUserId,
      calls: Number(calls),
      participants: Number(participants),
      focusParticipations: Number(focus.total),
      focusMissed: Number(focus.missed),
      reused,
      generatedInSeconds,
    }
  }
}

/** Runs the statements on `count` connections of their own, each taking the next one when free. */
async function runOnConnections(database: Database, count: number, statements: string[]) {
  const env = databaseEnv(database)
  const queue = [...statements]
  const worker = async () => {
    const connection = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DB_NAME })
    try {
      // Generated rows point at rows generated by the other connection, maybe a moment later:
      // skip the per-row foreign key lookups (this session only; the schema is untouched).
      await connection.query('SET SESSION foreign_key_checks = 0')
      for (let sql = queue.shift(); sql; sql = queue.shift()) await connection.query(sql)
    } finally {
      await connection.end()
    }
  }
  await Promise.all(Array.from({ length: count }, worker))
}

function callsSql(layout: Layout, from: number, to: number) {
  const c = callFigures('seq')
  return `
    INSERT INTO calls (id, channel_id, initiator_id, kind, status, answered_at, ended_at, end_reason, created_at, updated_at)
    SELECT seq,
      ${c.channel} - 1 + ${layout.firstChannelId},
      ${layout.member(c.channel, c.callerSlot)},
      IF(seq % 3 = 0, 'video', 'audio'),
      ${c.status},
      IF(${c.status} = 'ended', ${c.createdAt} + INTERVAL 10 SECOND, NULL),
      ${c.endedAt},
      ELT(FIELD(${c.status}, 'ended', 'missed', 'declined'), 'everyone_left', 'no_answer', 'declined'),
      ${c.createdAt}, ${c.endedAt}
    FROM seq_${from}_to_${to}`
}

/** One row per call and seat below the call's size, in call order (so every index is appended to). */
function participantsSql(layout: Layout, from: number, to: number) {
  const c = callFigures('g.seq')
  const myStatus = `CASE
    WHEN s.seq = ${c.callerSlot} THEN 'left'
    WHEN ${c.status} = 'ended' THEN ELT(1 + (CRC32(g.seq * 8 + s.seq) % 100 >= 80) + (CRC32(g.seq * 8 + s.seq) % 100 >= 95), 'left', 'missed', 'declined')
    ELSE ${c.status} END`
  return `
    INSERT INTO call_participants (id, call_id, user_id, status, busy, invited_at, joined_at, left_at, audio_enabled, video_enabled, screen_sharing, missed_seen_at, created_at, updated_at)
    SELECT id, call_id, user_id, status, 0, created_at,
      IF(status = 'left', created_at + INTERVAL 10 SECOND, NULL),
      IF(status = 'left', ended_at, NULL),
      1, video, 0,
      IF(status = 'missed' AND call_id <= ${HISTORY_SCALE.calls - UNSEEN_NEWEST_CALLS}, created_at + INTERVAL 1 HOUR, NULL),
      created_at, ended_at
    FROM (
      SELECT STRAIGHT_JOIN ${c.firstParticipantId} + s.seq AS id, g.seq AS call_id, ${layout.member(c.channel, 's.seq')} AS user_id,
        ${myStatus} AS status, g.seq % 3 = 0 AS video, ${c.createdAt} AS created_at, ${c.endedAt} AS ended_at
      FROM seq_${from}_to_${to} g JOIN seq_0_to_7 s ON s.seq < ${c.size}
    ) generated`
}

/** Who sits in which seat: channel `c` (1-based) has 8 members; the focus person is seat 1 of every 10th. */
class Layout {
  constructor(
    readonly focusUserId: number,
    readonly firstChannelId: number
  ) {}

  /** SQL for the user id in seat `slot` (0..7) of channel number `channel` (1..400). */
  member(channel: string, slot: string) {
    const others = HISTORY_SCALE.users - 1
    const everyoneElse = `${this.focusUserId + 1} + ((${channel}) * ${HISTORY_SCALE.membersPerChannel} + (${slot})) % ${others}`
    return `IF((${slot}) = 1 AND (${channel}) % ${FOCUS_CHANNEL_EVERY} = 0, ${this.focusUserId}, ${everyoneElse})`
  }
}

/** SQL for a call's figures, each a hash of its id (`id` is the SQL for it). */
function callFigures(id: string) {
  // Sizes cycle 2..8 by id (35 seats per 7 calls); the last call has 5, so there are exactly
  // 5 seats per call and the participant ids are 1..5,000,000 without gaps.
  const cycle = `((${id} - 1) DIV 7)`
  const place = `((${id} - 1) % 7)`
  const size = `IF(${id} = ${HISTORY_SCALE.calls}, 5, 2 + ${place})`
  const outcome = `CRC32(${id} * 5 + 2) % 100`
  const createdAt = `${EPOCH} + INTERVAL ${id} MINUTE`
  const status = `IF(${outcome} < 70, 'ended', IF(${outcome} < 90, 'missed', 'declined'))`
  return {
    channel: `1 + CRC32(${id}) % ${HISTORY_SCALE.channels}`,
    size,
    callerSlot: `CRC32(${id} * 3 + 1) % (${size})`,
    firstParticipantId: `(1 + ${cycle} * 35 + ${place} * (${place} + 3) DIV 2)`,
    status,
    createdAt,
    endedAt: `${createdAt} + INTERVAL IF(${status} = 'ended', 60 + CRC32(${id} * 7) % 3600, 30) SECOND`,
  }
}

/** The sizes of callFigures(), added up. */
function expectedParticipantRows(calls: number) {
  let total = 0
  for (let id = 1; id <= calls; id++) total += id === calls ? 5 : 2 + ((id - 1) % 7)
  return total
}
