import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { CloseCode } from '#signaling/protocol'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { snapshot } from '#tests/helpers/calls'
import { CallSocketClient, baseUrl } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { tokenFor } from '#tests/helpers/tokens'

const MARKER = '<!-- api-docs-client:'

/** The client script of docs/api.md: the first ```js block after its marker comment. */
async function documentedClient() {
  const markdown = await readFile(app.makePath('docs/api.md'), 'utf8')
  const afterMarker = markdown.slice(markdown.indexOf(MARKER))
  const block = /```js\n([\s\S]*?)```/.exec(afterMarker)
  if (!afterMarker.startsWith(MARKER) || !block) throw new Error('docs/api.md has no client script after its marker')
  return block[1]!
}

test.group('docs/api.md and docs/signaling.md, followed to the letter', (group) => {
  withCleanDatabase(group)

  test("the documented client script signs in with a token, starts a call and opens the call's socket", async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const token = await tokenFor(alice!)
    // Inside the app so that `import WebSocket from 'ws'` resolves as it would after `npm install ws`.
    const script = app.tmpPath('api_docs_client.mjs')
    await writeFile(script, await documentedClient())

    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], {
      env: { PATH: process.env.PATH, CONFAB_URL: baseUrl(), CONFAB_TOKEN: token.value, CHANNEL_ID: String(channel.id) },
      timeout: 15_000,
    })

    assert.equal(stderr, '')
    const [call] = (await (await import('#models/call')).default.query().where('channel_id', channel.id))
    assert.exists(call, 'the script started a call')
    assert.deepEqual(stdout.trim().split('\n'), [
      'ringing for me: 0',
      `call ${call!.id} is ringing`,
      `in the call as ${alice!.fullName} (user ${alice!.id})`,
      'call ended: cancelled',
      `socket closed with ${CloseCode.CallEnded}`,
    ])
    // alice left her unanswered call, which cancels it (docs/calls.md).
    const { call: after } = await snapshot(call!.id)
    assert.equal(after.initiatorId, alice!.id)
    assert.equal(after.status, 'cancelled')
  })

  test('a cookie client: the session cookie of the login response, X-XSRF-TOKEN on a POST, Origin on the socket', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    // Signing in as docs/calls.md says (BrowserlessClient keeps cookies and echoes XSRF-TOKEN).
    const browser = new BrowserlessClient(baseUrl())
    await browser.fetch('/login')
    const beforeLogin = browser.cookieHeader.split('; ').find((cookie) => cookie.startsWith('confab-session='))!
    await browser.login(alice!.email, TEST_PASSWORD)
    const cookies = new Map(browser.cookieHeader.split('; ').map((cookie) => [cookie.split('=')[0], cookie]))
    const sessionCookie = cookies.get('confab-session')!
    assert.notEqual(sessionCookie, beforeLogin, 'signing in replaces the session cookie')

    const post = (headers: Record<string, string>) =>
      fetch(`${baseUrl()}/channels/${channel.id}/calls`, {
        method: 'POST',
        headers: { 'cookie': sessionCookie, 'accept': 'application/json', 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ kind: 'audio' }),
      })
    assert.equal((await post({})).status, 403, 'no X-XSRF-TOKEN: refused')
    const started = await post({ 'x-xsrf-token': browser.xsrfToken })
    assert.equal(started.status, 201)
    const callId = (await started.json()).call.id

    // The socket needs only the session cookie (and the app's Origin); the cookie from before
    // the sign-in names no session any more.
    const socketUrl = `${baseUrl().replace('http', 'ws')}/calls/${callId}/signal`
    const stale = new CallSocketClient(socketUrl, { cookie: beforeLogin, origin: baseUrl() })
    assert.deepEqual(await stale.closed, { status: 401 })
    const socket = new CallSocketClient(socketUrl, { cookie: sessionCookie, origin: baseUrl() })
    cleanup(() => socket.close())
    assert.equal((await socket.next('welcome')).self.userId, alice!.id)
  })
})
