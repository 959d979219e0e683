import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import { Redis } from 'ioredis'
import { MessageBuilder } from '@adonisjs/core/helpers'
import User from '#models/user'
import Message from '#models/message'
import { TEST_PASSWORD, UserFactory } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { AppProcess } from '#tests/helpers/app_process'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { CallSocketClient, baseUrl } from '#tests/helpers/call_socket'
import { startCall } from '#tests/helpers/calls'
import { TEST_REDIS_URL, printedSkip, redisForTests } from '#tests/helpers/services'

test.group('Accounts: sign up', (group) => {
  withCleanDatabase(group)

  test('creates the account with a hashed password and signs the person in', async ({ client, assert }) => {
    const response = await client
      .post('/signup')
      .form({ fullName: 'Erin Walsh', email: 'Erin@Example.com', password: 'a long secret', passwordConfirmation: 'a long secret' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/channels')
    const user = await User.findByOrFail('email', 'erin@example.com')
    assert.equal(user.fullName, 'Erin Walsh')
    assert.notEqual(user.password, 'a long secret')
    assert.isTrue(await hash.verify(user.password, 'a long secret'))
    assert.exists(response.session().auth_web, 'the new account is signed in')
  })

  test('shows each invalid field and creates nothing', async ({ client, assert }) => {
    await UserFactory.merge({ email: 'taken@example.com' }).create()

    const response = await client
      .post('/signup')
      .header('referer', '/signup')
      .form({ fullName: 'E', email: 'TAKEN@example.com', password: 'short', passwordConfirmation: 'other' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/signup')
    const errors = response.flashMessages().inputErrorsBag as Record<string, string[]>
    assert.deepEqual(errors.fullName, ['Must be at least 2 characters'])
    assert.deepEqual(errors.email, ['This email is already taken'])
    assert.include(errors.password.join(' '), 'at least 8 characters')
    assert.equal(await User.query().count('* as total').first().then((row) => Number(row!.$extras.total)), 1)
  })

  test('renders the errors inline on the form', async ({ client }) => {
    const response = await client
      .get('/signup')
      .withFlashMessages({ inputErrorsBag: { email: ['Please enter a valid email address'] }, email: 'nope' })

    response.assertStatus(200)
    response.assertTextIncludes('<p class="field__error" id="field-email-error">Please enter a valid email address</p>')
    response.assertTextIncludes('aria-invalid="true" aria-describedby="field-email-error"')
    response.assertTextIncludes('value="nope"')
  })

  test('refuses a form posted without the CSRF token and creates nothing', async ({ client, assert }) => {
    const form = { fullName: 'Mallory', email: 'mallory@example.com', password: 'a long secret', passwordConfirmation: 'a long secret' }

    // A page form goes back where it came from, with the reason shown on top.
    const page = await client.post('/signup').header('referer', '/signup').form(form).redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/signup')
    page.assertFlashMessage('error', 'Invalid or expired CSRF token')

    // A script gets the status code.
    const script = await client.post('/signup').accept('json').json(form)
    script.assertStatus(403)
    assert.equal(script.body().errors[0].message, 'Invalid or expired CSRF token')

    assert.isNull(await User.findBy('email', 'mallory@example.com'))
  })
})

test.group('Accounts: log in and out', (group) => {
  withCleanDatabase(group)

  test('logs in with the right password and goes back to the page that asked', async ({ client }) => {
    const user = await UserFactory.merge({ email: 'alice@example.test' }).create()

    const guarded = await client.get('/channels').redirects(0)
    guarded.assertStatus(302)
    guarded.assertHeader('location', '/login')

    const response = await client
      .post('/login')
      .withSession({ returnTo: '/channels/new' })
      .form({ email: 'ALICE@example.test', password: TEST_PASSWORD })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/channels/new')
    response.assertSession('auth_web', user.id)
  })

  test('says so when the password is wrong', async ({ client }) => {
    await UserFactory.merge({ email: 'bob@example.test' }).create()

    const response = await client
      .post('/login')
      .header('referer', '/login')
      .form({ email: 'bob@example.test', password: 'wrong password' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/login')
    response.assertFlashMessage('errorsBag', { login: 'Incorrect email or password.' })
    response.assertSessionMissing('auth_web')
  })

  test('locks out an IP and email after too many failures, with a clear message', async ({ client, assert }) => {
    await UserFactory.merge({ email: 'carol@example.test' }).create()
    const attempt = (password: string) =>
      client
        .post('/login')
        .header('referer', '/login')
        .form({ email: 'carol@example.test', password })
        .withCsrfToken()
        .redirects(0)

    for (let failure = 1; failure <= 5; failure++) {
      const response = await attempt(`wrong ${failure}`)
      response.assertFlashMessage('errorsBag', { login: 'Incorrect email or password.' })
    }

    // Even the right password is refused while the lock holds.
    const locked = await attempt(TEST_PASSWORD)
    locked.assertStatus(302)
    locked.assertSessionMissing('auth_web')
    assert.match((locked.flashMessages().errorsBag as Record<string, string>).login, /^Too many failed login attempts\. Try again in \d+ seconds\.$/)
    assert.isAbove(Number(locked.header('retry-after')), 0)

    const json = await client
      .post('/login')
      .accept('json')
      .json({ email: 'carol@example.test', password: TEST_PASSWORD })
      .withCsrfToken()
    json.assertStatus(429)
    assert.match(json.body().errors[0].message, /^Too many failed login attempts/)
  })

  test('a success clears the failure count', async ({ client }) => {
    await UserFactory.merge({ email: 'dave@example.test' }).create()
    const attempt = (password: string) =>
      client.post('/login').form({ email: 'dave@example.test', password }).withCsrfToken().redirects(0)

    for (let failure = 1; failure <= 4; failure++) await attempt('wrong')
    ;(await attempt(TEST_PASSWORD)).assertSessionMissing('errorsBag')
    for (let failure = 1; failure <= 4; failure++) await attempt('wrong')
    const response = await attempt(TEST_PASSWORD)
    response.assertHeader('location', '/')
  })

  test('logs out', async ({ client }) => {
    const user = await UserFactory.create()

    const response = await client.delete('/logout').loginAs(user).withCsrfToken().redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/login')
    response.assertSessionMissing('auth_web')
  })

  test('signed-in people skip the login page', async ({ client }) => {
    const user = await UserFactory.create()
    const response = await client.get('/login').loginAs(user).redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
  })
})

const DAY_MS = 24 * 60 * 60 * 1000
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1'
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36'

/**
 * A second Confab process with a real server-side session store (the in-process test server
 * uses the memory store that Japa's session client needs) and tight request limits. It trusts
 * no proxy, so X-Forwarded-For changes nothing there.
 */
function serverWith(port: number, env: Record<string, string>) {
  return new AppProcess(port, {
    NODE_ENV: 'test',
    SQLITE_PATH: app.tmpPath('test.sqlite3'),
    TRUSTED_PROXIES: 'none',
    // Pages render through Vite's dev server, on an HMR port of this spec's own.
    DEV_MODE: 'true',
    VITE_HMR_PORT: String(port - 3431 + 24731),
    MESSAGES_PER_MINUTE: '3',
    CHANNELS_PER_HOUR: '2',
    SIGNUPS_PER_HOUR: '2',
    ...env,
  })
}

/** Starts a call as `browser` (its user is then in the call) and returns the call id. */
async function startCallAs(browser: BrowserlessClient, channelId: number) {
  const response = await browser.fetch(`/channels/${channelId}/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json' },
    body: JSON.stringify({ kind: 'audio' }),
  })
  if (response.status !== 201) throw new Error(`Starting a call answered ${response.status}`)
  return (await response.json()).call.id as number
}

function callSocket(server: string, callId: number, cookie: string) {
  return new CallSocketClient(`${server.replace('http', 'ws')}/calls/${callId}/signal`, { cookie, origin: server })
}

/** Deletes every session the Redis session store holds in the test Redis. */
async function forgetRedisSessions() {
  const redis = new Redis(TEST_REDIS_URL)
  try {
    for (const pattern of ['session:*', 'session_tag:*']) {
      const keys = await redis.keys(pattern)
      if (keys.length) await redis.del(...keys)
    }
  } finally {
    redis.disconnect()
  }
}

/**
 * The sign-out tests, run against each server-side store; `missing` says why the store cannot be
 * tested on this machine (each skipped test prints it), null when it can.
 */
function signOutEndsTheSession(store: 'database' | 'redis', port: number, env: Record<string, string>, missing: string | null) {
  test.group(`Accounts: sessions live on the server (${store} store)`, (group) => {
    withCleanDatabase(group)
    let server: AppProcess
    group.setup(async () => {
      if (missing) return
      server = serverWith(port, { SESSION_DRIVER: store, ...env })
      await server.ready()
    })
    // User ids restart with every clean database while Redis keeps last run's sessions: forget
    // them, or "user 1" of this run would find the sessions of last run's user 1.
    group.each.setup(async () => {
      if (store === 'redis' && !missing) await forgetRedisSessions()
    })
    group.teardown(() => server?.stop())

    test('a cookie copied before sign-out is refused after it, by pages, JSON and the call socket', async ({ assert, cleanup }) => {
      const [alice, bob] = await people(2)
      const channel = await channelWith([alice!, bob!])
      const browser = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
      const callId = await startCallAs(browser, channel.id)
      const copied = browser.cookieHeader

      // The copy works while the session does, down to the call socket.
      assert.equal((await fetch(`${server.url}/channels`, { headers: { cookie: copied }, redirect: 'manual' })).status, 200)
      const before = callSocket(server.url, callId, copied)
      cleanup(() => before.close())
      await before.next('welcome')
      before.close()

      // Another tab of the same browser has its event stream open.
      const otherTab = await browser.openStream()
      const signOut = await browser.fetch('/logout', { method: 'DELETE' })
      assert.equal(signOut.status, 302)
      assert.equal(signOut.headers.get('location'), '/login')

      const page = await fetch(`${server.url}/channels`, { headers: { cookie: copied }, redirect: 'manual' })
      assert.equal(page.status, 302)
      assert.equal(page.headers.get('location'), '/login')
      const json = await fetch(`${server.url}/calls/ringing`, { headers: { cookie: copied, accept: 'application/json' } })
      assert.equal(json.status, 401)
      assert.deepEqual(await callSocket(server.url, callId, copied).closed, { status: 401 })
      await within(otherTab.ended, 5000, "the other tab's event stream to end")
    }).skip(...printedSkip(missing !== null, missing ?? ''))

    test('"Sign out of all other sessions" ends the others and keeps this one', async ({ assert }) => {
      const [alice, bob] = await people(2)
      const channel = await channelWith([alice!, bob!])
      const laptop = await new BrowserlessClient(server.url, { 'user-agent': FIREFOX_LINUX }).login(alice!.email, TEST_PASSWORD)
      const phone = await new BrowserlessClient(server.url, { 'user-agent': SAFARI_IPHONE }).login(alice!.email, TEST_PASSWORD)
      const here = await new BrowserlessClient(server.url, { 'user-agent': CHROME_WINDOWS }).login(alice!.email, TEST_PASSWORD)
      // Someone else's session is none of alice's business, and survives.
      const bobsBrowser = await new BrowserlessClient(server.url).login(bob!.email, TEST_PASSWORD)
      const callId = await startCallAs(phone, channel.id)
      // The laptop has a tab open: its event stream must end with its session.
      const laptopStream = await laptop.openStream()
      const hereStream = await here.openStream()

      const account = await here.fetch('/account')
      assert.equal(account.status, 200)
      const html = await account.text()
      assert.include(html, 'Firefox on Linux')
      assert.include(html, 'Safari on iOS')
      assert.include(html, 'Chrome on Windows')
      assert.equal(html.split('This session').length - 1, 1, 'exactly one session is marked as this one')
      assert.match(html, /Chrome on Windows<\/strong>\s*<span class="badge badge--muted">This session<\/span>/)
      assert.include(html, 'Sign out of all other sessions')

      const signOut = await here.fetch('/account/sessions', { method: 'DELETE' })
      assert.equal(signOut.status, 302)
      assert.equal(signOut.headers.get('location'), '/account')

      for (const other of [laptop, phone]) {
        const page = await other.fetch('/channels')
        assert.equal(page.status, 302)
        assert.equal(page.headers.get('location'), '/login')
      }
      assert.deepEqual(await callSocket(server.url, callId, phone.cookieHeader).closed, { status: 401 })
      assert.equal((await bobsBrowser.fetch('/channels')).status, 200)
      await within(laptopStream.ended, 5000, "the laptop's event stream to end")
      const hereEnded = await Promise.race([hereStream.ended.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 300))])
      assert.isFalse(hereEnded, "this session's own stream stays open")
      hereStream.close()

      const after = await (await here.fetch('/account')).text()
      assert.include(after, 'Signed out of 2 other sessions.', after.match(/<main[\s\S]*<\/main>/)?.[0])
      assert.include(after, 'Chrome on Windows')
      assert.notInclude(after, 'Firefox on Linux')
      assert.notInclude(after, 'Safari on iOS')
      assert.include(after, 'You are signed in here only.')
    }).skip(...printedSkip(missing !== null, missing ?? ''))
  })
}

signOutEndsTheSession('database', 3431, {}, null)
const redisUp = await redisForTests()
signOutEndsTheSession('redis', 3432, { REDIS_URL: TEST_REDIS_URL }, redisUp ? null : 'no Redis on this machine for the Redis session store')

test.group('Accounts: the database session store', (group) => {
  withCleanDatabase(group)
  let server: AppProcess
  group.setup(async () => {
    server = serverWith(3433, { SESSION_DRIVER: 'database' })
    await server.ready()
  })
  group.teardown(() => server.stop())

  test('a signed-out visitor\'s session is kept 2 hours, not a week; signing in gives the week', async ({ assert }) => {
    const alice = await UserFactory.create()
    const visitor = new BrowserlessClient(server.url)
    // Anything without a cookie (a visitor, a bot, a probe) gets a session for Shield's CSRF secret.
    const before = (await db.from('sessions').select('id')).map((row) => row.id)
    await visitor.fetch('/login')
    const guests = await db.from('sessions').whereNull('user_id').whereNotIn('id', before)
    assert.lengthOf(guests, 1)
    assert.approximately(new Date(guests[0].expires_at).getTime() - Date.now(), 2 * 60 * 60 * 1000, 60_000)

    await visitor.login(alice.email, TEST_PASSWORD)
    const signedIn = await db.from('sessions').where('user_id', String(alice.id)).firstOrFail()
    assert.approximately(new Date(signedIn.expires_at).getTime() - Date.now(), 7 * DAY_MS, 60_000)
  })

  test('a session past its expiry is refused and deleted', async ({ assert }) => {
    const alice = await UserFactory.create()
    const browser = await new BrowserlessClient(server.url).login(alice.email, TEST_PASSWORD)
    const rows = await db.from('sessions').where('user_id', String(alice.id))
    assert.lengthOf(rows, 1)
    // The session cookie lives as long as the stored session: 7 days.
    assert.approximately(browser.cookieExpiry('confab-session')! - Date.now(), 7 * DAY_MS, 60_000)

    await db.from('sessions').where('id', rows[0].id).update({ expires_at: new Date(Date.now() - 1000) })
    const page = await browser.fetch('/channels')
    assert.equal(page.status, 302)
    assert.equal(page.headers.get('location'), '/login')
    // The expired row went; whatever the refused request stored since is anonymous.
    assert.lengthOf(await db.from('sessions').where('user_id', String(alice.id)), 0)
    const left = await db.from('sessions').where('id', rows[0].id).first()
    if (left) assert.notProperty(new MessageBuilder().verify<Record<string, unknown>>(left.data, left.id), 'auth_web')
  })

  test('a signed-in session writes at most once a minute, and that write slides its expiry', async ({ assert }) => {
    const alice = await UserFactory.create()
    const browser = await new BrowserlessClient(server.url).login(alice.email, TEST_PASSWORD)
    const row = () => db.from('sessions').where('user_id', String(alice.id)).firstOrFail()
    const expiresIn = async () => new Date((await row()).expires_at).getTime() - Date.now()
    const { id } = await row()
    // Six days pass without a visit (the row's expiry as it would be by then).
    await db.from('sessions').where('id', id).update({ expires_at: new Date(Date.now() + DAY_MS) })

    // Within a minute of the last recorded activity, page views write nothing, not even a touch.
    await browser.fetch('/channels')
    await browser.fetch('/calls')
    assert.approximately(await expiresIn(), DAY_MS, 60_000)

    // Once the recorded activity is a minute old, the next page view records it again.
    const data = new MessageBuilder().verify<Record<string, any>>((await row()).data, id)!
    const minuteAgo = data.lastSeenAt - 61_000
    await db.from('sessions').where('id', id).update({ data: new MessageBuilder().build({ ...data, lastSeenAt: minuteAgo }, undefined, id) })
    await browser.fetch('/channels')
    assert.approximately(await expiresIn(), 7 * DAY_MS, 60_000)
    const after = new MessageBuilder().verify<Record<string, any>>((await row()).data, id)!
    assert.isAbove(after.lastSeenAt, minuteAgo + 60_000)
  })
})

test.group('Accounts: session and proxy settings', () => {
  test('the server refuses the cookie store and a malformed TRUSTED_PROXIES, saying why, and believes a valid one', async ({ assert }) => {
    // Three server boots.
    const cases: [Record<string, string>, string][] = [
      [{ SESSION_DRIVER: 'cookie' }, 'SESSION_DRIVER=cookie is no longer supported: a copied cookie would outlive sign-out'],
      [{ TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES must list IPs, CIDR ranges, loopback, linklocal, uniquelocal or be "none" (bad entry "10.0.0.0/33")'],
    ]
    for (const [env, message] of cases) {
      const server = serverWith(3435, env)
      try {
        await assert.rejects(() => server.ready('/health', 15_000))
        assert.include(server.output, message)
      } finally {
        await server.stop()
      }
    }

    // A valid list boots, and its proxies are believed: loopback forwards for 192.0.2.50.
    const server = serverWith(3435, { TRUSTED_PROXIES: 'loopback, 10.0.0.0/8, 2001:db8::/32', SIGNUPS_PER_HOUR: '1' })
    try {
      assert.equal((await server.ready('/health')).status, 200)
      const signUp = async (email: string, forwardedFor: string) => {
        const visitor = new BrowserlessClient(server.url, { 'x-forwarded-for': forwardedFor, 'accept': 'application/json' })
        await visitor.fetch('/health')
        const form = { fullName: 'New Person', email, password: 'a long secret', passwordConfirmation: 'a long secret' }
        return (await visitor.fetch('/signup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) })).status
      }
      assert.equal(await signUp('first@example.test', '192.0.2.50'), 302)
      assert.equal(await signUp('second@example.test', '192.0.2.50'), 429)
      assert.equal(await signUp('third@example.test', '192.0.2.51'), 302, 'another client behind the proxy has its own limit')
    } finally {
      await server.stop()
    }
  }).timeout(90_000)
})

test.group('Accounts: a tab idle for a day', (group) => {
  withCleanDatabase(group)

  test('Accept, Decline and the read marker still pass the CSRF check after a day without requests', async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const message = await Message.create({ channelId: channel.id, userId: alice!.id, body: 'Call in a minute?' })

    // bob and carol open the channel page in the morning, as their browsers would.
    const tabs = await Promise.all(
      [bob!, carol!].map(async (person) => {
        const tab = await new BrowserlessClient(baseUrl()).login(person.email, TEST_PASSWORD)
        assert.equal((await tab.fetch(`/channels/${channel.id}`)).status, 200)
        return tab
      })
    )
    for (const tab of tabs) {
      tab.idle(DAY_MS)
      assert.isNotEmpty(tab.xsrfToken, 'the XSRF-TOKEN cookie outlives a day of idleness')
    }
    const [bobsTab, carolsTab] = tabs as [BrowserlessClient, BrowserlessClient]

    // In the afternoon of the next day alice calls.
    const callId = (await startCall(client, alice!, channel, 'audio')).body().call.id
    const json = { 'accept': 'application/json', 'content-type': 'application/json' }
    const accepted = await bobsTab.fetch(`/calls/${callId}/participation`, { method: 'POST', headers: json })
    assert.equal(accepted.status, 200)
    const declined = await carolsTab.fetch(`/calls/${callId}/decline`, { method: 'POST', headers: json })
    assert.equal(declined.status, 200)
    const read = await bobsTab.fetch(`/channels/${channel.id}/read_marker`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ messageId: message.id }),
    })
    assert.equal(read.status, 204)
  })

  test('the XSRF-TOKEN cookie lives as long as the session cookie', async ({ assert }) => {
    const alice = await UserFactory.create()
    const tab = await new BrowserlessClient(baseUrl()).login(alice.email, TEST_PASSWORD)
    await tab.fetch('/channels')
    assert.approximately(tab.cookieExpiry('XSRF-TOKEN')! - Date.now(), 7 * DAY_MS, 60_000)
    assert.approximately(tab.cookieExpiry('confab-session')! - Date.now(), 7 * DAY_MS, 60_000)
  })
})

/** A login as a script sends it, from `ip` (the in-process server trusts loopback proxies). */
/** Resolves with `promise`, or fails saying what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function loginFrom(client: import('@japa/api-client').ApiClient, ip: string, email: string, password: string) {
  return client
    .post('/login')
    .header('x-forwarded-for', ip)
    .header('referer', '/login')
    .form({ email, password })
    .withCsrfToken()
    .redirects(0)
}

test.group('Accounts: login limits', (group) => {
  withCleanDatabase(group)

  test('one IP cannot spray passwords across many accounts', async ({ client, assert }) => {
    const victim = await UserFactory.create()
    const sprayer = '203.0.113.7'
    // LOGIN_MAX_FAILURES_PER_IP=12 in .env.test; each account gets one guess, far below its own limit.
    for (let account = 1; account <= 12; account++) {
      const response = await loginFrom(client, sprayer, `target${account}@example.test`, 'Summer2026!')
      response.assertFlashMessage('errorsBag', { login: 'Incorrect email or password.' })
    }

    const refused = await loginFrom(client, sprayer, victim.email, TEST_PASSWORD)
    refused.assertSessionMissing('auth_web')
    assert.match((refused.flashMessages().errorsBag as Record<string, string>).login, /^Too many failed login attempts\. Try again in \d+ seconds\.$/)
    assert.closeTo(Number(refused.header('retry-after')), 15 * 60, 5)

    // Everyone else still signs in.
    const elsewhere = await loginFrom(client, '198.51.100.20', victim.email, TEST_PASSWORD)
    elsewhere.assertHeader('location', '/')
    elsewhere.assertSession('auth_web', victim.id)
  })

  test('a burst of parallel guesses gets no more tries than one at a time would', async ({ client, assert }) => {
    const loginMessage = (response: Awaited<ReturnType<typeof loginFrom>>) =>
      (response.flashMessages().errorsBag as Record<string, string> | undefined)?.login ?? ''
    const owner = await UserFactory.create()
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, guess) => loginFrom(client, '203.0.113.99', owner.email, `parallel guess ${guess}`))
    )
    const checked = burst.filter((response) => loginMessage(response) === 'Incorrect email or password.').length
    const refused = burst.filter((response) => /^Too many failed login attempts/.test(loginMessage(response))).length
    console.log(`  20 parallel guesses at one account: ${checked} checked, ${refused} refused`)
    // The 5 free failures and the one attempt the first wait allows; every other is refused unchecked.
    assert.isAtMost(checked, 6)
    assert.equal(checked + refused, 20)

    // Across accounts the IP's cap (LOGIN_MAX_FAILURES_PER_IP=12) holds in a burst too.
    const spray = await Promise.all(
      Array.from({ length: 30 }, (_, account) => loginFrom(client, '203.0.113.98', `burst${account}@example.test`, 'Winter2026!'))
    )
    const sprayed = spray.filter((response) => loginMessage(response) === 'Incorrect email or password.').length
    console.log(`  30 parallel guesses across accounts: ${sprayed} checked`)
    assert.isAtMost(sprayed, 12)
  })

  test('failures for one account earn a doubling wait, which never locks out the owner elsewhere', async ({ client, assert }) => {
    const owner = await UserFactory.create()
    const attacker = '203.0.113.66'
    for (let failure = 1; failure <= 5; failure++) {
      ;(await loginFrom(client, attacker, owner.email, `guess ${failure}`)).assertFlashMessage('errorsBag', { login: 'Incorrect email or password.' })
    }
    const wait = await loginFrom(client, attacker, owner.email, TEST_PASSWORD)
    wait.assertSessionMissing('auth_web')
    assert.closeTo(Number(wait.header('retry-after')), 30, 2)

    // The owner, at home, is not slowed down at all.
    const owners = await loginFrom(client, '198.51.100.9', owner.email, TEST_PASSWORD)
    owners.assertHeader('location', '/')
    owners.assertSession('auth_web', owner.id)

    // The wait runs out (its stored expiry is moved to the past); the next failure doubles it.
    await db.from('rate_limits').where('key', 'like', `%login_wait:${attacker}:%`).update({ expire: Date.now() - 1000 })
    ;(await loginFrom(client, attacker, owner.email, 'guess 6')).assertFlashMessage('errorsBag', { login: 'Incorrect email or password.' })
    const longer = await loginFrom(client, attacker, owner.email, TEST_PASSWORD)
    longer.assertSessionMissing('auth_web')
    assert.closeTo(Number(longer.header('retry-after')), 60, 2)
  })
})

test.group('Accounts: request limits', (group) => {
  withCleanDatabase(group)
  let server: AppProcess
  group.setup(async () => {
    server = serverWith(3434, { SESSION_DRIVER: 'database' })
    await server.ready()
  })
  group.teardown(() => server.stop())

  test('posting messages: the composer gets 429 and the reason to show in place, JSON clients JSON', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const tab = await new BrowserlessClient(server.url).login(alice!.email, TEST_PASSWORD)
    const post = (body: string, headers: Record<string, string>) =>
      tab.fetch(`/channels/${channel.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ body }),
      })

    // MESSAGES_PER_MINUTE=3 on this server.
    for (let count = 1; count <= 3; count++) assert.equal((await post(`message ${count}`, { 'hx-request': 'true' })).status, 200)
    const composer = await post('one too many', { 'hx-request': 'true' })
    assert.equal(composer.status, 429)
    assert.isAbove(Number(composer.headers.get('retry-after')), 0)
    const { errors } = await composer.json()
    assert.match(errors[0].message, /^You are posting messages too quickly\. Try again in \d+ seconds\.$/)

    const script = await post('from a script', { accept: 'application/json' })
    assert.equal(script.status, 429)
    assert.equal((await script.json()).errors[0].code, 'E_TOO_MANY_REQUESTS')
    assert.equal(await Message.query().where('channel_id', channel.id).count('* as total').first().then((row) => Number(row!.$extras.total)), 3)
  })

  test('creating channels: a page form gets a 429 page saying when to try again', async ({ assert }) => {
    const alice = await UserFactory.create()
    const tab = await new BrowserlessClient(server.url).login(alice.email, TEST_PASSWORD)
    const create = (name: string) =>
      tab.fetch('/channels', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'text/html' },
        body: new URLSearchParams({ name, kind: 'public' }),
      })

    // CHANNELS_PER_HOUR=2 on this server.
    assert.equal((await create('first')).status, 302)
    assert.equal((await create('second')).status, 302)
    const third = await create('third')
    assert.equal(third.status, 429)
    assert.isAbove(Number(third.headers.get('retry-after')), 0)
    assert.match(await third.text(), /You are creating channels too quickly\. Try again in \d+ seconds\./)
  })

  test('signing up: limited per IP, and without a trusted proxy X-Forwarded-For changes nothing', async ({ assert }) => {
    const signUp = async (email: string, forwardedFor: string) => {
      const visitor = new BrowserlessClient(server.url, { 'x-forwarded-for': forwardedFor, 'accept': 'application/json' })
      await visitor.fetch('/health')
      return visitor.fetch('/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ fullName: 'New Person', email, password: 'a long secret', passwordConfirmation: 'a long secret' }),
      })
    }

    // SIGNUPS_PER_HOUR=2 on this server, which trusts no proxy (TRUSTED_PROXIES=none): every
    // one of these comes from 127.0.0.1, whatever the header claims.
    assert.equal((await signUp('one@example.test', '192.0.2.1')).status, 302)
    assert.equal((await signUp('two@example.test', '192.0.2.2')).status, 302)
    const third = await signUp('three@example.test', '192.0.2.3')
    assert.equal(third.status, 429)
    assert.match((await third.json()).errors[0].message, /^You are creating accounts too quickly/)
    assert.isNull(await User.findBy('email', 'three@example.test'))
  })
})
