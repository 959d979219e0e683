import { test } from '@japa/runner'
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensureLocalEnvironment } from '../../bin/local_environment.js'

test.group('Fresh clone environment', (group) => {
  let root: string
  group.each.setup(() => {
    root = mkdtempSync(join(tmpdir(), 'confab-env-'))
    return () => rmSync(root, { recursive: true, force: true })
  })

  test('creates .env from .env.example with a new random APP_KEY, and tmp/', ({ assert }) => {
    writeFileSync(join(root, '.env.example'), 'PORT=3333\nAPP_KEY=\nHOST=localhost\n')
    ensureLocalEnvironment(pathToFileURL(root + '/'))

    const env = readFileSync(join(root, '.env'), 'utf8')
    const key = env.match(/^APP_KEY=(.+)$/m)?.[1]
    assert.isString(key)
    assert.isAtLeast(key!.length, 32)
    assert.include(env, 'PORT=3333\n')
    assert.isTrue(existsSync(join(root, 'tmp')))

    const other = mkdtempSync(join(tmpdir(), 'confab-env-'))
    writeFileSync(join(other, '.env.example'), 'APP_KEY=\n')
    ensureLocalEnvironment(pathToFileURL(other + '/'))
    assert.notEqual(readFileSync(join(other, '.env'), 'utf8'), env.match(/^APP_KEY=.*$/m)![0] + '\n')
    rmSync(other, { recursive: true, force: true })
  })

  test('never overwrites an existing .env and is quiet without .env.example', ({ assert }) => {
    writeFileSync(join(root, '.env'), 'APP_KEY=mine\n')
    writeFileSync(join(root, '.env.example'), 'APP_KEY=\n')
    ensureLocalEnvironment(pathToFileURL(root + '/'))
    assert.equal(readFileSync(join(root, '.env'), 'utf8'), 'APP_KEY=mine\n')

    rmSync(join(root, '.env'))
    rmSync(join(root, '.env.example'))
    ensureLocalEnvironment(pathToFileURL(root + '/'))
    assert.isFalse(existsSync(join(root, '.env')))
  })
})
