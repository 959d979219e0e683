import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { reachable } from '#tests/helpers/services'

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx'
const CONFIG = fileURLToPath(new URL('../../deploy/nginx/confab.conf', import.meta.url))

/** nginx in front of Confab instances, configured with deploy/nginx/confab.conf as documented. */
export class Nginx {
  #child: ChildProcess | null = null
  #output = ''

  constructor(
    private dir: string,
    readonly port: number,
    private upstreams: string[]
  ) {}

  static available() {
    return existsSync(NGINX)
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  async start() {
    mkdirSync(this.dir, { recursive: true })
    // Placeholders are filled where they stand as values, not in the file's comments.
    const site = readFileSync(CONFIG, 'utf8')
      .replace(/^(\s*)__UPSTREAMS__$/gm, (_, indent) => this.upstreams.map((upstream) => `${indent}server ${upstream};`).join('\n'))
      .replace(/listen __LISTEN__;/, `listen 127.0.0.1:${this.port};`)
    writeFileSync(join(this.dir, 'confab.conf'), site)
    const temp = (name: string) => join(this.dir, name)
    writeFileSync(
      join(this.dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${temp('nginx.pid')};`,
        `error_log ${temp('error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${temp('body')};`,
        `  proxy_temp_path ${temp('proxy')};`,
        `  fastcgi_temp_path ${temp('fastcgi')};`,
        `  uwsgi_temp_path ${temp('uwsgi')};`,
        `  scgi_temp_path ${temp('scgi')};`,
        `  include ${temp('confab.conf')};`,
        '}',
      ].join('\n')
    )
    this.#child = spawn(NGINX, ['-p', this.dir, '-c', join(this.dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child.stdout!.on('data', (chunk) => (this.#output += chunk))
    this.#child.stderr!.on('data', (chunk) => (this.#output += chunk))
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) break
      if (await reachable('127.0.0.1', this.port)) return this
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`nginx did not start:\n${this.#output}`)
  }

  async stop() {
    if (!this.#child || this.#child.exitCode !== null) return
    this.#child.kill('SIGTERM')
    await once(this.#child, 'exit')
  }
}
