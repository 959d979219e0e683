import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import { TEST_PASSWORD, UserFactory } from '#database/factories/user_factory'
import { withCleanDatabase } from '#tests/helpers/world'

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
