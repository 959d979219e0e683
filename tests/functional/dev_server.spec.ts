import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { until } from '#tests/helpers/waiting'
import { childrenOf, isAlive } from '../../bin/dev_server_stop.js'

const DEV_PORT = 3398

/** Every process below `pid` (children, grandchildren…), as `pgrep -P` sees them now. */
function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)])
}

async function answers(url: string) {
  try {
    return (await fetch(url)).status
  } catch {
    return 0
  }
}

test.group('npm run dev', () => {
  test('stops on SIGTERM, as a process manager or a script stops it: no process left, the port free', async ({ assert, cleanup }) => {
    const url = `http://127.0.0.1:${DEV_PORT}/up`
    assert.equal(await answers(url), 0, `something already answers on port ${DEV_PORT}: this test needs it free`)
    const database = app.tmpPath('dev-server-stop.sqlite3')
    for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true })
    const npm = spawn('npm', ['run', 'dev'], {
      cwd: app.appRoot.pathname,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(DEV_PORT),
        VITE_HMR_PORT: '24698',
        DB_CONNECTION: 'sqlite',
        SQLITE_PATH: database,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    npm.stdout!.on('data', (chunk) => (output += chunk))
    npm.stderr!.on('data', (chunk) => (output += chunk))
    const exited = once(npm, 'exit')
    // Seen while npm still runs: once it exits, orphans are no longer below it.
    let processes: number[] = []
    cleanup(() => {
      for (const pid of [npm.pid!, ...processes, ...descendantsOf(npm.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    })

    await until(() => answers(url), (status) => status === 200, 60_000, `npm run dev to serve /up. Output:\n${output}`)
    processes = descendantsOf(npm.pid!)
    assert.isAbove(processes.length, 1, 'expected the dev server and its HTTP child below npm')

    npm.kill('SIGTERM')
    await exited
    const left = await until(
      async () => processes.filter(isAlive),
      (alive) => alive.length === 0,
      15_000,
      'every process of npm run dev to exit'
    )
    assert.deepEqual(left, [])
    assert.equal(await answers(url), 0, 'something still answers on the dev port')
  }).timeout(90_000)
})
