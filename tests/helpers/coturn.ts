import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver'

/**
 * A real coturn TURN server on loopback for one test run, configured as docs/deploy.md
 * describes, plus what a loopback relay needs (allow-loopback-peers, no-cli). Started with its
 * own port, pid file and log, and stopped by PID.
 */
export class Coturn {
  readonly secret = randomBytes(24).toString('hex')
  readonly port: number
  #child: ChildProcess | null = null
  #dir: string

  // Below Linux's ephemeral range (32768-60999): a client socket of another test (or anything
  // else on the machine) can hold an ephemeral port, and coturn would fail to bind it.
  constructor(tmpDir: string, port = 31478) {
    this.port = port
    this.#dir = join(tmpDir, `coturn-${port}`)
  }

  get url() {
    return `turn:127.0.0.1:${this.port}?transport=udp`
  }

  static available() {
    return existsSync(TURNSERVER)
  }

  async start() {
    mkdirSync(this.#dir, { recursive: true })
    this.#killStale()
    const config = join(this.#dir, 'turnserver.conf')
    writeFileSync(
      config,
      [
        `listening-port=${this.port}`,
        'listening-ip=127.0.0.1',
        'relay-ip=127.0.0.1',
        'min-port=31500',
        'max-port=31740',
        'use-auth-secret',
        `static-auth-secret=${this.secret}`,
        'realm=confab.test',
        'fingerprint',
        'allow-loopback-peers',
        'no-cli',
        'no-tls',
        'no-dtls',
        'no-multicast-peers',
        `userdb=${join(this.#dir, 'turndb')}`,
        `pidfile=${join(this.#dir, 'turnserver.pid')}`,
        'log-file=stdout',
      ].join('\n')
    )
    let output = ''
    this.#child = spawn(TURNSERVER, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child.stdout!.on('data', (chunk) => (output += chunk))
    this.#child.stderr!.on('data', (chunk) => (output += chunk))
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) break
      // The last line coturn prints once its listeners and relay threads are up.
      // coturn keeps retrying a port it cannot bind and still reports itself up: say why instead
      // of letting the test wait for relay candidates that never come.
      if (/Cannot bind .* listener socket to addr/.test(output)) break
      if (output.includes('Total General servers')) return this
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await this.stop()
    throw new Error(`coturn did not start. Its output:\n${output.slice(-2000)}`)
  }

  /** A coturn left behind by an interrupted run would answer with another secret (401s). */
  #killStale() {
    const pidFile = join(this.#dir, 'turnserver.pid')
    if (!existsSync(pidFile)) return
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
    rmSync(pidFile, { force: true })
  }

  async stop() {
    if (!this.#child || this.#child.exitCode !== null) return
    this.#child.kill('SIGTERM')
    await Promise.race([once(this.#child, 'exit'), new Promise((resolve) => setTimeout(resolve, 3000))])
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL')
  }
}
