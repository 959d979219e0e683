import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { TEST_REDIS_URL } from '#tests/helpers/services'

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * A second, real Confab server process (bin/server.ts through ts-exec), for tests about what
 * happens across processes: a restart, a broken database. It inherits the test environment
 * (database settings included) unless `env` overrides it.
 */
export class AppProcess {
  #child: ChildProcess
  #output = ''

  constructor(readonly port: number, env: Record<string, string>) {
    this.#child = spawn(process.execPath, ['--import=@poppinss/ts-exec', 'bin/server.ts'], {
      cwd: APP_ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child.stdout!.on('data', (chunk) => (this.#output += chunk))
    this.#child.stderr!.on('data', (chunk) => (this.#output += chunk))
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  get output() {
    return this.#output
  }

  /** Waits until the server answers HTTP (any status) and returns that first response. */
  async ready(path = '/health', timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) break
      try {
        return await fetch(this.url + path, { headers: { accept: 'application/json' } })
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    throw new Error(`The server on port ${this.port} never answered. Its output:\n${this.#output}`)
  }

  /** Asks for a graceful shutdown (SIGTERM), as an orchestrator does, and waits for the exit. */
  async terminate() {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#child.kill('SIGTERM')
    await once(this.#child, 'exit')
  }

  /** Dies at once, as a crashed or OOM-killed instance does (no shutdown, no goodbyes). */
  async kill() {
    await this.stop()
  }

  async stop() {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#child.kill('SIGKILL')
    await once(this.#child, 'exit')
  }
}

/**
 * A Confab instance for browser tests across instances: it shares the test database (sessions
 * in it: any instance reads any session) and Redis with the others, and serves pages with their
 * scripts (Vite's dev server, one HMR port each).
 */
export function pageServingInstance(port: number, hmrPort: number, env: Record<string, string> = {}) {
  return new AppProcess(port, {
    NODE_ENV: 'test',
    SQLITE_PATH: app.tmpPath('test.sqlite3'),
    SESSION_DRIVER: 'database',
    REDIS_URL: TEST_REDIS_URL,
    DEV_MODE: 'true',
    VITE_HMR_PORT: String(hmrPort),
    ...env,
  })
}
