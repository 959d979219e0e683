import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

/**
 * Makes a fresh clone runnable without manual steps: copies `.env.example` to `.env` when there is
 * no `.env` yet (with a freshly generated APP_KEY, never a shared one), and creates `tmp/` where
 * the embedded SQLite database lives.
 *
 * A production build folder carries neither file, and there the environment comes from the
 * process itself, so a missing `.env.example` is skipped quietly.
 */
export function ensureLocalEnvironment(appRoot: URL) {
  const envFile = new URL('.env', appRoot)
  const exampleFile = new URL('.env.example', appRoot)
  if (!existsSync(envFile) && existsSync(exampleFile)) {
    const example = readFileSync(exampleFile, 'utf8')
    const appKey = randomBytes(32).toString('base64url')
    writeFileSync(envFile, example.replace(/^APP_KEY=.*$/m, `APP_KEY=${appKey}`))
  }
  mkdirSync(new URL('tmp/', appRoot), { recursive: true })
}
