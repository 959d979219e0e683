import { test } from '@japa/runner'
import { AppProcess } from '#tests/helpers/app_process'
import { people, withCleanDatabase } from '#tests/helpers/world'

test.group('Up (liveness)', (group) => {
  withCleanDatabase(group)

  test('answers 200 OK to anyone, signed in or not', async ({ client }) => {
    const [alice] = await people(1)

    const guest = await client.get('/up').redirects(0)
    guest.assertStatus(200)
    guest.assertTextIncludes('OK')

    const member = await client.get('/up').loginAs(alice!).redirects(0)
    member.assertStatus(200)
    member.assertTextIncludes('OK')
  })

  test('stays up while the database is down, which /health reports', async ({ assert, cleanup }) => {
    // A second, real server process whose database is unreachable (nothing listens on port 9).
    const server = new AppProcess(3397, {
      NODE_ENV: 'test',
      DB_CONNECTION: 'mysql',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: '9',
    })
    cleanup(() => server.stop())

    const up = await server.ready('/up')
    assert.equal(up.status, 200)
    assert.equal(await up.text(), 'OK')
    assert.equal((await fetch(`${server.url}/health`)).status, 503)
  }).timeout(40_000)
})
