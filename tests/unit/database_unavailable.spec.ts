import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import db from '@adonisjs/lucid/services/db'
import mysql from 'mysql2'
import { Redis } from 'ioredis'
import { isDatabaseUnavailable } from '#exceptions/database_unavailable'
import { TcpProxy, deadPort } from '#tests/helpers/tcp_proxy'

/** The error a real mysql2 connection attempt fails with. */
function mysqlConnectError(options: mysql.ConnectionOptions) {
  return new Promise<unknown>((resolve) => {
    const connection = mysql.createConnection({ user: 'nobody', ...options })
    connection.on('error', () => {})
    connection.connect((error) => {
      connection.destroy()
      resolve(error)
    })
  })
}

function thrownBy(work: () => unknown) {
  try {
    work()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

test.group('Recognising an unreachable database (real driver errors)', (group) => {
  let dir: string
  group.each.setup(() => {
    dir = mkdtempSync(join(tmpdir(), 'confab-unavailable-'))
    return () => rmSync(dir, { recursive: true, force: true })
  })

  test('MySQL refusing connections, also under a name with several addresses (AggregateError)', async ({ assert }) => {
    const port = await deadPort()
    assert.isTrue(isDatabaseUnavailable(await mysqlConnectError({ host: '127.0.0.1', port })))
    assert.isTrue(isDatabaseUnavailable(await mysqlConnectError({ host: 'localhost', port })))
  })

  test('Redis (the session store) refusing connections or never answering', async ({ assert, cleanup }) => {
    const refused = new Redis({ host: '127.0.0.1', port: await deadPort(), maxRetriesPerRequest: 0, lazyConnect: true })
    refused.on('error', () => {})
    const blackHole = new TcpProxy()
    const silent = new Redis({ host: '127.0.0.1', port: await blackHole.listen(), commandTimeout: 200, lazyConnect: true })
    silent.on('error', () => {})
    cleanup(() => {
      refused.disconnect()
      silent.disconnect()
      return blackHole.close()
    })
    const refusedError = await refused.get('session:x').catch((error) => error)
    assert.isTrue(isDatabaseUnavailable(refusedError), String(refusedError))
    const silentError = await silent.get('session:x').catch((error) => error)
    assert.isTrue(isDatabaseUnavailable(silentError), String(silentError))
  })

  test('MySQL accepting the connection and never answering (connect timeout)', async ({ assert, cleanup }) => {
    const blackHole = new TcpProxy()
    const port = await blackHole.listen()
    cleanup(() => blackHole.close())
    const error = await mysqlConnectError({ host: '127.0.0.1', port, connectTimeout: 200 })
    assert.equal((error as { code?: string }).code, 'ETIMEDOUT')
    assert.isTrue(isDatabaseUnavailable(error))
  })

  test('SQLite locked by another writer past busy_timeout', ({ assert }) => {
    const file = join(dir, 'busy.sqlite3')
    const holder = new Database(file)
    holder.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)')
    holder.exec('BEGIN EXCLUSIVE')
    const other = new Database(file, { timeout: 0 })
    const error = thrownBy(() => other.exec('INSERT INTO t DEFAULT VALUES'))
    assert.equal((error as { code?: string }).code, 'SQLITE_BUSY')
    assert.isTrue(isDatabaseUnavailable(error))
    other.close()
    holder.close()
  })

  test("the pool's own timeout while every connection is taken", async ({ assert }) => {
    // A Lucid connection like the app's, with a pool of one: the open transaction holds it.
    db.manager.add('unavailable_pool', {
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'pool.sqlite3') },
      useNullAsDefault: true,
      pool: { max: 1, acquireTimeoutMillis: 100 },
    })
    const pool = db.connection('unavailable_pool')
    const transaction = await pool.transaction()
    const error = await pool.rawQuery('select 1').catch((caught: unknown) => caught)
    await transaction.rollback()
    await db.manager.close('unavailable_pool', true)
    assert.match((error as Error).message, /Timeout acquiring a connection/)
    assert.isTrue(isDatabaseUnavailable(error))
  })

  test('errors of a database that answers are not outages: bad SQL, a constraint, a plain bug', ({ assert }) => {
    const database = new Database(join(dir, 'answers.sqlite3'))
    database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE)')
    database.exec("INSERT INTO t (email) VALUES ('a@example.test')")
    assert.isFalse(isDatabaseUnavailable(thrownBy(() => database.exec('SELEKT 1'))))
    assert.isFalse(isDatabaseUnavailable(thrownBy(() => database.exec("INSERT INTO t (email) VALUES ('a@example.test')"))))
    database.close()
    assert.isFalse(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')")))
    assert.isFalse(isDatabaseUnavailable(null))
    assert.isFalse(isDatabaseUnavailable('ECONNREFUSED'))
  })
})
