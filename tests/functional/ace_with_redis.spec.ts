import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import app from '@adonisjs/core/services/app'
import { TEST_REDIS_URL, printedSkip, redisForTests } from '#tests/helpers/services'

const redisUp = await redisForTests()

/** Runs `node ace.js <args>` as `npm run ace` does, and returns its exit code and stderr. */
async function ace(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['ace.js', ...args], {
    cwd: app.appRoot.pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const [code] = await once(child, 'exit')
  return { code: code as number | null, stderr }
}

test.group('Ace commands with Redis configured', () => {
  // A deploy script migrates with the production environment, Redis included: the command must
  // exit 0. It exited 1 after its work, as Transmit's Redis transport was closed while its
  // boot-time subscribe was still pending (an unhandled "Connection is closed.").
  test('a command that does its work exits 0, with nothing unhandled on stderr', async ({ assert }) => {
    const { code, stderr } = await ace(['migration:status'], { REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'warn' })
    assert.notInclude(stderr, 'Connection is closed')
    assert.equal(code, 0, stderr)
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, `no Redis at ${TEST_REDIS_URL}`))
})
