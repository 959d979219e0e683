import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { MAX_ACCESS_TOKENS_PER_USER } from '#models/access_tokens'
import { people, withCleanDatabase } from '#tests/helpers/world'
import { assertExcludes } from '#tests/helpers/assertions'
import { tokenFetch, tokenFor } from '#tests/helpers/tokens'

const DAY_MS = 24 * 60 * 60 * 1000
const TOKEN_PATTERN = /oat_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/

const tokenRows = (user: User) => db.from('auth_access_tokens').where('tokenable_id', user.id).orderBy('id')

test.group('API tokens: the account page', (group) => {
  withCleanDatabase(group)

  test('creates a named token shown once, lists it without its value, and revokes it', async ({ client, assert }) => {
    const [alice] = await people(1)
    const created = await client
      .post('/account/tokens')
      .loginAs(alice!)
      .form({ name: 'Standup bot', expiresIn: '30d' })
      .withCsrfToken()
      .redirects(0)

    created.assertStatus(201)
    assert.equal(created.header('cache-control'), 'no-store')
    const value = TOKEN_PATTERN.exec(created.text())?.[0]
    assert.exists(value, 'the new token is on the page')
    created.assertTextIncludes('copy this token now. It will not be shown again.')

    // Only its hash is stored, and it lives 30 days.
    const [row] = await tokenRows(alice!)
    assert.equal(row.name, 'Standup bot')
    assert.notInclude(row.hash, value!.split('.')[1]!)
    assert.approximately(new Date(row.expires_at).getTime() - Date.now(), 30 * DAY_MS, 60_000)
    assert.equal((await tokenFetch(value!, '/calls/ringing')).status, 200, 'the token works')

    const page = await client.get('/account').loginAs(alice!)
    page.assertTextIncludes('Standup bot')
    page.assertTextIncludes(`data-token-id="${row.id}"`)
    assertExcludes(page, value!)

    const revoked = await client.delete(`/account/tokens/${row.id}`).loginAs(alice!).withCsrfToken().redirects(0)
    revoked.assertStatus(302)
    revoked.assertHeader('location', '/account')
    revoked.assertFlashMessage('notice', 'Access token revoked: clients using it are signed out.')
    assert.lengthOf(await tokenRows(alice!), 0)
    assert.equal((await tokenFetch(value!, '/calls/ringing')).status, 401, 'the revoked token no longer works')
  })

  test('"No expiry" stores none; JSON clients of the page get the token as data', async ({ client, assert }) => {
    const [alice] = await people(1)
    const response = await client.post('/account/tokens').loginAs(alice!).accept('json').json({ name: 'Phone', expiresIn: 'never' }).withCsrfToken()

    response.assertStatus(201)
    const { token } = response.body()
    assert.match(token.value, TOKEN_PATTERN)
    assert.equal(token.name, 'Phone')
    assert.isNull(token.expiresAt)
    const [row] = await tokenRows(alice!)
    assert.equal(row.id, token.id)
    assert.isNull(row.expires_at)
  })

  test('refuses a missing or too long name and an unknown expiry, and creates nothing', async ({ client, assert }) => {
    const [alice] = await people(1)
    for (const form of [{ name: '   ', expiresIn: '30d' }, { name: 'x'.repeat(61), expiresIn: '30d' }, { name: 'Bot', expiresIn: '10y' }, { name: 'Bot' }]) {
      const response = await client.post('/account/tokens').loginAs(alice!).accept('json').json(form).withCsrfToken()
      response.assertStatus(422)
      assert.lengthOf(response.body().errors, 1, JSON.stringify(form))
    }
    // A page form goes back with the field's message.
    const page = await client
      .post('/account/tokens')
      .loginAs(alice!)
      .header('referer', '/account')
      .form({ name: '', expiresIn: '30d' })
      .withCsrfToken()
      .redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/account')
    assert.property(page.flashMessages().inputErrorsBag, 'name')
    assert.lengthOf(await tokenRows(alice!), 0)
  })

  test(`at most ${MAX_ACCESS_TOKENS_PER_USER} live tokens: one more is refused (409); expired ones do not count`, async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    for (let index = 0; index < MAX_ACCESS_TOKENS_PER_USER; index++) await tokenFor(alice!)
    await tokenFor(bob!)

    const refused = await client.post('/account/tokens').loginAs(alice!).accept('json').json({ name: 'One too many', expiresIn: '30d' }).withCsrfToken()
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].message, `You already have ${MAX_ACCESS_TOKENS_PER_USER} access tokens: revoke one you no longer use first.`)
    const page = await client.post('/account/tokens').loginAs(alice!).form({ name: 'One too many', expiresIn: '30d' }).withCsrfToken().redirects(0)
    page.assertStatus(302)
    page.assertFlashMessage('error', refused.body().errors[0].message)
    assert.lengthOf(await tokenRows(alice!), MAX_ACCESS_TOKENS_PER_USER)

    // bob's token counts for bob only; an expired token of alice's frees a place.
    const [oldest] = await tokenRows(alice!)
    await db.from('auth_access_tokens').where('id', oldest.id).update({ expires_at: new Date(Date.now() - 1000) })
    const allowed = await client.post('/account/tokens').loginAs(alice!).accept('json').json({ name: 'Replacement', expiresIn: '30d' }).withCsrfToken()
    allowed.assertStatus(201)
    assert.lengthOf(await tokenRows(alice!), MAX_ACCESS_TOKENS_PER_USER + 1)
  })

  test("someone else's token cannot be revoked: 404, and it keeps working", async ({ client, assert }) => {
    const [alice, mallory] = await people(2)
    const token = await tokenFor(alice!)

    const json = await client.delete(`/account/tokens/${token.id}`).loginAs(mallory!).accept('json').withCsrfToken()
    json.assertStatus(404)
    const form = await client.delete(`/account/tokens/${token.id}`).loginAs(mallory!).withCsrfToken().redirects(0)
    form.assertStatus(404)
    const missing = await client.delete('/account/tokens/999999').loginAs(alice!).accept('json').withCsrfToken()
    missing.assertStatus(404)

    assert.lengthOf(await tokenRows(alice!), 1)
    assert.equal((await tokenFetch(token.value, '/calls/ringing')).status, 200)
  })

  test('a token cannot open the account page, create or revoke tokens', async ({ assert }) => {
    const [alice] = await people(1)
    const token = await tokenFor(alice!)

    const created = await tokenFetch(token.value, '/account/tokens', { method: 'POST', json: { name: 'Minted', expiresIn: 'never' } })
    assert.equal(created.status, 401)
    const revoked = await tokenFetch(token.value, `/account/tokens/${token.id}`, { method: 'DELETE' })
    assert.equal(revoked.status, 401)
    const page = await tokenFetch(token.value, '/account', { headers: { accept: 'text/html' } })
    assert.equal(page.status, 302)
    assert.equal(page.headers.get('location'), '/login')
    assert.lengthOf(await tokenRows(alice!), 1)
  })
})

test.group('API tokens: recording a use', (group) => {
  withCleanDatabase(group)

  const lastUsed = async (id: number) => {
    const value = (await db.from('auth_access_tokens').where('id', id).firstOrFail()).last_used_at
    return value === null ? null : new Date(value).getTime()
  }

  test('a wrong secret or an expired token records no use; a good one does, at most once a minute', async ({ assert }) => {
    const [alice] = await people(1)
    const token = await tokenFor(alice!)
    const expired = await tokenFor(alice!, '1h')
    await db.from('auth_access_tokens').where('id', expired.id).update({ expires_at: new Date(Date.now() - 1000) })

    // The token's id (they count up) with a made-up secret, or another token's.
    const id = token.value.slice(4).split('.')[0]
    for (const forged of [`oat_${id}.bm9wZQ`, `oat_${id}.${expired.value.split('.')[1]}`, expired.value]) {
      assert.equal((await tokenFetch(forged, '/calls/ringing')).status, 401)
    }
    assert.isNull(await lastUsed(token.id), 'guesses at its secret are not uses')
    assert.isNull(await lastUsed(expired.id), 'an expired token is not used')

    assert.equal((await tokenFetch(token.value, '/calls/ringing')).status, 200)
    const first = await lastUsed(token.id)
    assert.isNotNull(first)
    assert.approximately(first!, Date.now(), 5000)

    // Within the minute: no write. Past it: the use is recorded again.
    const halfAMinuteAgo = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000)
    await db.from('auth_access_tokens').where('id', token.id).update({ last_used_at: halfAMinuteAgo })
    assert.equal((await tokenFetch(token.value, '/calls/ringing')).status, 200)
    assert.equal(await lastUsed(token.id), halfAMinuteAgo.getTime())
    await db.from('auth_access_tokens').where('id', token.id).update({ last_used_at: new Date(Date.now() - 120_000) })
    assert.equal((await tokenFetch(token.value, '/calls/ringing')).status, 200)
    assert.approximately((await lastUsed(token.id))!, Date.now(), 5000)
  })
})
