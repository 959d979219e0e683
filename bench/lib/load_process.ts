import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

type Reply = { id: number; result?: unknown; error?: string }

/**
 * A load generator in its own process (so it never shares a CPU with what it measures' event
 * loop), driven over IPC: `call('run', {...})` runs a command there and resolves with its result.
 */
export class LoadProcess {
  #child: ChildProcess
  #nextId = 1
  #pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>()

  constructor(script: URL, args: string[] = []) {
    this.#child = fork(script, args, { execArgv: ['--import=@poppinss/ts-exec', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (reply.error) waiter?.reject(new Error(reply.error))
      else waiter?.resolve(reply.result)
    })
    this.#child.on('exit', (code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`load process exited with ${code}`))
      this.#pending.clear()
    })
  }

  get pid() {
    return this.#child.pid!
  }

  call<T = any>(command: string, payload: unknown = {}): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#child.send({ id, command, payload })
    })
  }

  async stop() {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#child.kill('SIGKILL')
    await once(this.#child, 'exit')
  }
}

/** The child's side: answers LoadProcess.call() with these handlers. */
export function serveCommands(handlers: Record<string, (payload: any) => Promise<unknown> | unknown>) {
  process.on('message', async ({ id, command, payload }: { id: number; command: string; payload: unknown }) => {
    try {
      const handler = handlers[command]
      if (!handler) throw new Error(`unknown command ${command}`)
      process.send!({ id, result: await handler(payload) })
    } catch (error: any) {
      process.send!({ id, error: error?.stack ?? String(error) })
    }
  })
}

/** Spawned server processes (baselines) are plain scripts run the same way. */
export function forkScript(script: URL, args: string[] = [], env: Record<string, string> = {}) {
  return fork(script, args, { execArgv: ['--import=@poppinss/ts-exec'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}
