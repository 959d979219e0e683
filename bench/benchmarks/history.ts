/*
| 5. History at scale: the Missed tab of a person with ~23,000 missed calls among 1,000,000 calls
| and 5,000,000 participant rows on MySQL, first page and a page 10,000 rows deep (keyset
| `before=`), timed over HTTP against the production server; plus the plan and the time of every
| SQL statement the page issues, captured from MariaDB's general log.
*/
import os from 'node:os'
import mysql from 'mysql2/promise'
import type { Benchmark } from '../run.js'
import { ConfabServer, databaseEnv, type Database, profileArgs } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { HistoryGenerator, type HistoryDataset } from '../lib/history_generator.js'
import { LoadProcess } from '../lib/load_process.js'
import { ProcessMeter } from '../lib/process_stats.js'
import { Report, target } from '../lib/report.js'
import { summarize, type LatencySummary } from '../lib/stats.js'

const PORT = 3431
const DATABASE: Extract<Database, { connection: 'mysql' }> = { connection: 'mysql', database: 'confab_bench' }
/** How deep the deep page starts, in rows of the Missed tab. */
const DEEP_ROWS = 10_000
/** Requests per page in the steady phase (interleaved, so noise hits every page alike). */
const ROUNDS = 300
/** No phase of requests runs longer than this, however slow the pages are. */
const PHASE_SECONDS = 15
/** First visits with unseen missed calls (each one marks them seen, so they are re-armed in between). */
const FIRST_VISITS = 20

type SequentialResult = { path: string; latency: LatencySummary; statuses: Record<number, number> }

const history: Benchmark = {
  name: 'history',
  title: 'History at scale (MySQL: 1M calls, 5M participant rows)',
  async run() {
    const report = new Report(history.name, history.title)
    report.note(`load average when it started: ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`)
    const unreachable = await mysqlUnreachable()
    if (unreachable) {
      report.note(`skipped: MariaDB/MySQL at ${databaseEnv(DATABASE).MYSQL_HOST}:${databaseEnv(DATABASE).MYSQL_PORT} is not reachable (${unreachable})`)
      report.check(...historyTargets(null, null))
      return report.finish()
    }

    const server = new ConfabServer(PORT, DATABASE)
    const dataset = await prepareDataset(server)
    if (!dataset) {
      report.note(`skipped: no complete data set in ${DATABASE.database}, and this server cannot generate one (it needs MariaDB's SEQUENCE engine)`)
      report.check(...historyTargets(null, null))
      return report.finish()
    }
    report.note(
      dataset.reused
        ? `reused the data set already in ${DATABASE.database} (counts checked: ${dataset.calls} calls, ${dataset.participants} participant rows)`
        : `generated ${dataset.calls} calls and ${dataset.participants} participant rows in ${dataset.generatedInSeconds!.toFixed(1)} s`
    )
    report.table('Data set', [
      { calls: dataset.calls, participants: dataset.participants, 'focus person: calls': dataset.focusParticipations, 'focus person: missed': dataset.focusMissed },
    ])

    const db = await BenchDb.open(DATABASE)
    const generator = new HistoryGenerator(db)
    await generator.resetUnseen(dataset.focusUserId)
    const deepBefore = await deepCursor(db, dataset.focusUserId)

    await server.start(profileArgs())
    const load = new LoadProcess(new URL('../load/http_requests.ts', import.meta.url))
    try {
      const headers = { cookie: server.cookieFor(dataset.focusUserId), accept: 'text/html' }
      const firstPath = '/calls?tab=missed'
      const deepPath = `/calls?tab=missed&before=${deepBefore}`
      const sequential = (paths: string[], rounds: number, extra: Record<string, string> = {}) =>
        load.call<SequentialResult[]>('sequential', { base: server.url, paths, headers: { ...headers, ...extra }, rounds, maxSeconds: PHASE_SECONDS })

      // The statements of a first visit, captured while the focus person still has unseen calls
      // (so the "mark as seen" UPDATE is among them), and of the deep page.
      const captured = {
        first: await captureStatements(() => sequential([firstPath], 1)),
        deep: await captureStatements(() => sequential([deepPath], 1)),
      }

      // First visits: each finds unseen missed calls, shows them and marks them seen.
      const firstVisits: number[] = []
      const visitsUntil = performance.now() + PHASE_SECONDS * 1000
      for (let i = 0; i < FIRST_VISITS && performance.now() < visitsUntil; i++) {
        await generator.resetUnseen(dataset.focusUserId)
        const [visit] = await sequential([firstPath], 1)
        firstVisits.push(visit.latency.max)
      }

      // Steady state: the same person paging again (nothing unseen any more, so no UPDATE).
      // /up, a bare route of the same app with the same cookie, is the floor of this run.
      await sequential([firstPath, deepPath, '/up'], 30)
      const meter = new ProcessMeter(server.pid)
      const [first, deep, floor] = await sequential([firstPath, deepPath, '/up'], ROUNDS)
      // What the "Load more" button fetches: the same rows as an htmx fragment, without the layout.
      const [fragment] = await sequential([deepPath], ROUNDS, { 'hx-request': 'true' })
      const usage = meter.stop()

      for (const result of [first, deep, floor, fragment]) {
        if (Object.keys(result.statuses).some((status) => status !== '200')) throw new Error(`${result.path} answered ${JSON.stringify(result.statuses)}`)
      }

      const firstVisit = summarize(firstVisits)
      report.table(`Missed tab over HTTP (production server, one person paging, up to ${ROUNDS} requests each within ${PHASE_SECONDS} s; server CPU ${usage.cpuCores} cores, RSS ${usage.rssMb} MB, peak ${usage.peakRssMb} MB)`, [
        row('first visit with unseen missed calls (marks them seen)', firstVisit),
        row('first page (HTML), steady', first.latency),
        row(`deep page, ${DEEP_ROWS} rows in (HTML, before=${deepBefore})`, deep.latency),
        row('deep page as the "Load more" fragment (htmx)', fragment.latency),
        row('floor: GET /up (bare route, same cookie)', floor.latency),
      ])
      report.table('Statements of a first visit (with unseen calls) and of the deep page, from the general log: EXPLAIN, and the time of each SELECT run alone (up to 100 times)', [
        ...(await explainAndTime(db, 'first', captured.first)),
        ...(await explainAndTime(db, 'deep', captured.deep)),
      ])

      const ratio = deep.latency.p95 / first.latency.p95
      report.note(`deep/first: p50 ${(deep.latency.p50 / first.latency.p50).toFixed(2)}, p95 ${ratio.toFixed(2)}`)
      report.note(
        'Opening the Missed tab marks its calls seen (an UPDATE): only the first visit after new missed calls pays for it, so repeated requests measure the ' +
          `steady state; the first visits are measured apart, with the unseen calls re-armed before each (${firstVisits.length} visits).`
      )
      report.check(...historyTargets(first.latency.p95, deep.latency.p95))
    } finally {
      await load.stop()
      await server.stop()
      await db.close()
    }
    return report.finish()
  },
}

export default history

function historyTargets(firstP95: number | null, deepP95: number | null) {
  return [
    target('Missed tab, first page p95', firstP95, '<=', 10, ' ms'),
    target(`Missed tab, page ${DEEP_ROWS} rows deep p95`, deepP95, '<=', 10, ' ms'),
    target('deep page p95 / first page p95', firstP95 && deepP95 ? deepP95 / firstP95 : null, '<=', 1.5),
  ]
}

function row(page: string, latency: LatencySummary) {
  return { page, requests: latency.count, 'p50 ms': latency.p50, 'p95 ms': latency.p95, 'p99 ms': latency.p99, 'max ms': latency.max }
}

/** Why MySQL cannot be used, or null when it answers. */
async function mysqlUnreachable() {
  try {
    const connection = await adminConnection()
    await connection.end()
    return null
  } catch (error: any) {
    return error?.code ?? error?.message ?? String(error)
  }
}

function adminConnection() {
  const env = databaseEnv(DATABASE)
  return mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, connectTimeout: 3000 })
}

/**
 * The data set of an earlier run when it is complete (after applying any new migration to it),
 * otherwise a fresh database with a freshly generated one; null when it cannot be generated.
 */
async function prepareDataset(server: ConfabServer): Promise<HistoryDataset | null> {
  const admin = await adminConnection()
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DATABASE.database}\``)
    server.migrate()
    const existing = await withDb((db) => new HistoryGenerator(db).existing())
    if (existing) return existing
    if (!(await withDb((db) => new HistoryGenerator(db).canGenerate()))) return null
    console.log(`generating the history data set in ${DATABASE.database} (1M calls, 5M participant rows)...`)
    await admin.query(`DROP DATABASE \`${DATABASE.database}\``)
    await admin.query(`CREATE DATABASE \`${DATABASE.database}\``)
    server.migrate()
    return await withDb((db) => new HistoryGenerator(db).generate(DATABASE))
  } finally {
    await admin.end()
  }
}

async function withDb<T>(work: (db: BenchDb) => Promise<T>) {
  const db = await BenchDb.open(DATABASE)
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

/** The `before=` cursor that starts a Missed-tab page DEEP_ROWS rows in. */
async function deepCursor(db: BenchDb, userId: number) {
  const [row] = await db.query<{ call_id: number }>(
    "SELECT call_id FROM call_participants WHERE user_id = ? AND status = 'missed' ORDER BY call_id DESC LIMIT 1 OFFSET ?",
    [userId, DEEP_ROWS - 1]
  )
  return row.call_id
}

/**
 * The SQL Confab sends while `work` runs, read from MariaDB's general log (switched on for that
 * moment only, written to the mysql.general_log table, then restored as it was), keeping the
 * statements of the server's own connections to the bench database.
 */
async function captureStatements(work: () => Promise<unknown>): Promise<string[]> {
  const admin = await adminConnection()
  try {
    const [[previous]] = await admin.query<any[]>('SELECT @@global.general_log AS enabled, @@global.log_output AS output, NOW(6) AS since')
    await admin.query("SET GLOBAL log_output = 'TABLE'")
    await admin.query('SET GLOBAL general_log = 1')
    try {
      await work()
    } finally {
      await admin.query('SET GLOBAL general_log = ?', [previous.enabled])
      await admin.query('SET GLOBAL log_output = ?', [previous.output])
    }
    const [rows] = await admin.query<any[]>(
      `SELECT argument FROM mysql.general_log
       WHERE event_time >= ? AND command_type = 'Query'
         AND thread_id IN (SELECT id FROM information_schema.processlist WHERE db = ?)
       ORDER BY event_time`,
      [previous.since, DATABASE.database]
    )
    return rows.map((row) => String(row.argument)).filter((sql) => /^\s*(select|update|insert|delete)\b/i.test(sql))
  } catch (error: any) {
    console.warn(`could not capture the statements from the general log: ${error?.message ?? error}`)
    return []
  } finally {
    await admin.end()
  }
}

/**
 * The plan of each statement (index used, rows estimated) and, for reads, the rows actually read
 * (MariaDB's ANALYZE runs the statement; plain EXPLAIN elsewhere) and its time, run alone up to
 * 100 times. The UPDATE is only explained: run again it would time an update with nothing to do.
 */
async function explainAndTime(db: BenchDb, page: string, statements: string[]) {
  const rows: Record<string, unknown>[] = []
  for (const sql of statements) {
    const read = /^\s*select/i.test(sql)
    const plan = (read ? await db.query<any>(`ANALYZE ${sql}`).catch(() => null) : null) ?? (await db.query<any>(`EXPLAIN ${sql}`))
    const timing = read ? await timeStatement(db, sql, 100) : null
    for (const [i, step] of plan.entries()) {
      rows.push({
        page: i === 0 ? page : '',
        statement: i === 0 ? abbreviate(sql) : '',
        table: step.table,
        type: step.type,
        key: step.key ?? '(none)',
        'rows (estimate)': step.rows,
        'rows read': step.r_rows ?? '',
        extra: step.Extra ?? '',
        'p50 ms': i === 0 && timing ? timing.p50 : '',
        'p95 ms': i === 0 && timing ? timing.p95 : '',
      })
    }
  }
  return rows
}

/** Up to `times` runs, within 3 s (a statement that takes seconds is timed a few times only). */
async function timeStatement(db: BenchDb, sql: string, times: number) {
  const samples: number[] = []
  const deadline = performance.now() + 3000
  for (let i = 0; i < times && performance.now() < deadline; i++) {
    const startedAt = performance.now()
    await db.query(sql)
    samples.push(performance.now() - startedAt)
  }
  return summarize(samples)
}

/** A statement short enough for a table cell, its IN lists and long select lists shortened. */
function abbreviate(sql: string) {
  const short = sql
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\bin \(([^)]{40,})\)/gi, (_all, list: string) => `in (${list.split(',').length} ids)`)
    .replace(/^select (.{60,}?) from /i, 'select … from ')
  return short.length > 150 ? short.slice(0, 147) + '...' : short
}
