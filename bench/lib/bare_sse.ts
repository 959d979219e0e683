import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

/** The bare Node SSE server (bench/baselines/sse_server.ts) in its own process. */
export class BareSseServer {
  #child?: ChildProcess
  #output = ''

  constructor(readonly port: number) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  get pid() {
    return this.#child!.pid!
  }

  /** What the process wrote on stderr (the inspector's URL, when started with --inspect). */
  get output() {
    return this.#output
  }

  async start(extraNodeArgs: string[] = []) {
    const script = new URL('../baselines/sse_server.ts', import.meta.url)
    this.#child = fork(script, [String(this.port)], {
      execArgv: ['--import=@poppinss/ts-exec', ...extraNodeArgs],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    this.#child.stderr!.on('data', (chunk) => (this.#output += chunk))
    const [message] = await Promise.race([
      once(this.#child, 'message'),
      once(this.#child, 'exit').then(() => {
        throw new Error(`the bare SSE server on port ${this.port} exited before listening:\n${this.#output}`)
      }),
    ])
    if (!(message as { ready?: number }).ready) throw new Error('the bare SSE server did not report ready')
    return this
  }

  async stop() {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}
