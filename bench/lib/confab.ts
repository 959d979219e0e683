import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { SessionMinter } from './sessions.js'

export const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUILD = `${APP_ROOT}build/`

export type Database = { connection: 'sqlite'; path: string } | { connection: 'mysql'; database: string }

/** A throwaway SQLite file for one benchmark (removed first, so every run starts empty). */
export function freshSqlite(name: string): Database {
  const path = `${APP_ROOT}tmp/bench-${name}.sqlite3`
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  return { connection: 'sqlite', path }
}

export function databaseEnv(database: Database): Record<string, string> {
  if (database.connection === 'sqlite') return { DB_CONNECTION: 'sqlite', SQLITE_PATH: database.path }
  return {
    DB_CONNECTION: 'mysql',
    MYSQL_HOST: process.env.BENCH_MYSQL_HOST ?? '127.0.0.1',
    MYSQL_PORT: process.env.BENCH_MYSQL_PORT ?? '3306',
    MYSQL_USER: process.env.BENCH_MYSQL_USER ?? 'root',
    MYSQL_PASSWORD: process.env.BENCH_MYSQL_PASSWORD ?? '',
    MYSQL_DB_NAME: database.database,
  }
}

/** `BENCH_PROFILE_DIR=/tmp/prof npm run bench -- x`: every server x starts writes a --cpu-prof profile there. */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
}

/** This run's copy of the build: `npm run build` rewrites build/ in place, and runs may overlap. */
const RUN_BUILD = `${APP_ROOT}tmp/bench-build-${process.pid}/`
let built = false

/**
 * The production build (`npm run build`), made once per bench run so it measures the code as it
 * is now, then copied to a folder of this run's own; the copy borrows the project's node_modules
 * instead of its own `npm ci`.
 */
export function ensureProductionBuild() {
  if (built) return
  withLock(`${APP_ROOT}tmp/bench-build.lock`, () => {
    console.log('building Confab for production (npm run build)...')
    try {
      execFileSync('npm', ['run', 'build'], { cwd: APP_ROOT, stdio: 'pipe' })
    } catch (error: any) {
      throw new Error(`npm run build failed:\n${error.stdout}\n${error.stderr}`)
    }
    cpSync(BUILD, RUN_BUILD, { recursive: true, filter: (source) => !source.startsWith(`${BUILD}node_modules`) })
  })
  symlinkSync(`${APP_ROOT}node_modules`, `${RUN_BUILD}node_modules`, 'dir')
  process.on('exit', () => rmSync(RUN_BUILD, { recursive: true, force: true }))
  built = true
}

/** A cross-process mutex (mkdir is atomic); a lock older than two minutes is a crashed run's. */
function withLock(path: string, work: () => void) {
  mkdirSync(dirname(path), { recursive: true })
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(path)
      break
    } catch (error: any) {
      if (error.code !== 'EEXIST') throw error
      if (Date.now() - statSync(path).mtimeMs > 120_000) rmSync(path, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${path}`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
  }
  try {
    work()
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
}

/**
 * One Confab server in production mode (NODE_ENV=production, compiled JavaScript, Vite's
 * production assets) on its own port and database, started the way docs/deploy.md starts it.
 */
export class ConfabServer {
  readonly appKey = randomBytes(32).toString('base64url')
  #sessions?: SessionMinter
  readonly env: Record<string, string>
  #child?: ChildProcess
  #output = ''

  /** `build`: a production build made earlier (with a node_modules link), for A/B runs of two commits. */
  constructor(
    readonly port: number,
    readonly database: Database,
    env: Record<string, string> = {},
    readonly build?: string
  ) {
    this.env = {
      PATH: process.env.PATH!,
      TZ: 'UTC',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_KEY: this.appKey,
      APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      // Sessions in the database even when a benchmark sets REDIS_URL: SessionMinter writes them there.
      SESSION_DRIVER: 'database',
      LIMITER_STORE: 'memory',
      // The ring benchmark starts calls back to back as one person.
      CALL_STARTS_PER_MINUTE: '600',
      // The fan-out benchmark and the soak post as a few people, far faster than a person types.
      MESSAGES_PER_MINUTE: '100000',
      ...databaseEnv(database),
      ...env,
    }
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}`
  }

  get pid() {
    return this.#child!.pid!
  }

  /** A `Cookie` header for a real session of this user. */
  cookieFor(userId: number) {
    if (!this.#sessions) throw new Error('Start the server first')
    return this.#sessions.cookieFor(userId)
  }

  /** Applies the migrations to the benchmark's database (`node ace migration:run --force`). */
  migrate() {
    if (!this.build) ensureProductionBuild()
    execFileSync(process.execPath, ['ace.js', 'migration:run', '--force'], { cwd: this.build ?? RUN_BUILD, env: this.env, stdio: ['ignore', 'ignore', 'inherit'] })
  }

  async start(extraNodeArgs: string[] = []) {
    if (!this.build) ensureProductionBuild()
    this.#sessions ??= await SessionMinter.create(this.appKey)
    await this.#sessions.mintAll(this.database)
    this.#child = spawn(process.execPath, [...extraNodeArgs, 'bin/server.js'], { cwd: this.build ?? RUN_BUILD, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child.stdout!.on('data', (chunk) => (this.#output += chunk))
    this.#child.stderr!.on('data', (chunk) => (this.#output += chunk))
    // 90 s: on the shared 2-core machine at load 30 and more, a boot took longer than 30 s.
    const deadline = Date.now() + 90_000
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) break
      try {
        const response = await fetch(`${this.url}/health`)
        if (response.ok) return this
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`Confab on port ${this.port} did not become healthy. Its output:\n${this.#output}`)
  }

  get output() {
    return this.#output
  }

  /** SIGTERM, as an orchestrator stops it (a --cpu-prof profile is written on this exit). */
  async stop() {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await once(child, 'exit')
    clearTimeout(timer)
  }
}
