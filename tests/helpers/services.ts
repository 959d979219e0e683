import { connect } from 'node:net'

/** Whether something accepts TCP connections at host:port (a quick probe, 1 s at most). */
export function reachable(host: string, port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port })
    const done = (result: boolean) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0'

/**
 * Redis for the scale-out tests: skipped with a printed reason when none runs here, unless
 * REQUIRE_REDIS=1 (set by .ci/run), which makes a missing Redis a failure.
 */
export async function redisForTests() {
  const url = new URL(TEST_REDIS_URL)
  const up = await reachable(url.hostname, Number(url.port || 6379))
  if (!up && process.env.REQUIRE_REDIS === '1') {
    throw new Error(`Redis is required (REQUIRE_REDIS=1) but nothing answers at ${TEST_REDIS_URL}`)
  }
  if (!up) console.log(`Scale-out tests skipped: no Redis at ${TEST_REDIS_URL} (start one, or set TEST_REDIS_URL)`)
  return up
}

/**
 * Arguments for Japa's `.skip()` on a test that needs a service this machine lacks: the test is
 * skipped with its reason printed in the run's output (Japa's reporter shows only "skipped").
 */
export function printedSkip(missing: boolean, reason: string): [boolean, string] {
  if (missing) console.log(`Skipped: ${reason}`)
  return [missing, reason]
}
