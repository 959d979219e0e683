import { execFileSync } from 'node:child_process'

/** How long the dev HTTP server gets for its graceful shutdown before it is killed. */
const GRACE_MS = 10_000

/**
 * Stops the assembler's dev server: its HTTP child gets SIGTERM and up to GRACE_MS to shut down
 * as production does, then `close()` stops the watchers (and SIGKILLs a child still alive). The
 * assembler keeps the child private and its `close()` only knows SIGKILL, so the child is found
 * as this process's child with `pgrep -P` (Linux and macOS).
 */
export async function stopDevServer(devServer: { close(): Promise<void> }) {
  const children = childrenOf(process.pid)
  for (const pid of children) signal(pid, 'SIGTERM')
  const deadline = Date.now() + GRACE_MS
  while (children.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await devServer.close()
}

/** The direct children of `pid`, as `pgrep -P` sees them now. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    // pgrep exits 1 when there is no child (or is missing): close() is all that is left to do.
    return []
  }
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name)
  } catch {}
}

/** Whether `pid` still runs (signal 0 checks without sending anything). */
export function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
