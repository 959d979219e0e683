import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import { errors as authErrors } from '@adonisjs/auth'
import env from '#start/env'
import User from '#models/user'
import { loginValidator } from '#validators/session'

/**
 * Failed logins per (IP, email) before that pair is locked out for a while. Only failures
 * count, and a success clears the counter.
 */
const loginAttempts = () =>
  limiter.use({
    requests: env.get('LOGIN_MAX_ATTEMPTS', 5),
    duration: '1 min',
    blockDuration: '1 min',
  })

export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store({ request, response, auth, session }: HttpContext) {
    const { email, password } = await request.validateUsing(loginValidator)
    const key = `login:${request.ip()}:${email}`

    let result: Awaited<ReturnType<ReturnType<typeof loginAttempts>['penalize']>>
    try {
      result = await loginAttempts().penalize(key, () => User.verifyCredentials(email, password))
    } catch (error) {
      if (!(error instanceof authErrors.E_INVALID_CREDENTIALS)) throw error
      session.flashErrors({ login: 'Incorrect email or password.' })
      session.flashExcept(['password'])
      return response.redirect().back()
    }

    const [throttled, user] = result
    if (throttled) {
      const seconds = throttled.response.availableIn
      const message = `Too many failed login attempts. Try again in ${seconds} seconds.`
      if (request.accepts(['html', 'json']) === 'json') {
        return response.header('Retry-After', String(seconds)).tooManyRequests({ errors: [{ message }] })
      }
      session.flashErrors({ login: message })
      session.flashExcept(['password'])
      return response.header('Retry-After', String(seconds)).redirect().back()
    }

    await auth.use('web').login(user as User)
    return response.redirect(session.pull('returnTo', '/'))
  }

  async destroy({ auth, response, session }: HttpContext) {
    await auth.use('web').logout()
    session.flash('notice', 'You are signed out.')
    return response.redirect('/login')
  }
}
