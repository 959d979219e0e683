import type { HttpContext } from '@adonisjs/core/http'
import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'
import StartSession from '#actions/accounts/start_session'
import EndSession from '#actions/accounts/end_session'
import { LoginThrottle } from '#services/login_throttle'
import { loginValidator } from '#validators/session'
import { recordRefusal } from '#metrics/limit_metrics'

export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  /** Logs in, unless this IP has earned a wait (see LoginThrottle): then the password is not even checked. */
  async store(ctx: HttpContext) {
    const { request, response, session } = ctx
    const { email, password } = await request.validateUsing(loginValidator)
    const throttle = new LoginThrottle(request.ip(), email)

    const seconds = await throttle.begin()
    if (seconds > 0) {
      recordRefusal('login')
      const message = `Too many failed login attempts. Try again in ${seconds} seconds.`
      response.header('Retry-After', String(seconds))
      if (request.accepts(['html', 'json']) === 'json') return response.tooManyRequests({ errors: [{ message }] })
      session.flashErrors({ login: message })
      session.flashExcept(['password'])
      return response.redirect().back()
    }

    let user: User
    try {
      user = await User.verifyCredentials(email, password)
    } catch (error) {
      if (!(error instanceof authErrors.E_INVALID_CREDENTIALS)) throw error
      await throttle.failed()
      session.flashErrors({ login: 'Incorrect email or password.' })
      session.flashExcept(['password'])
      return response.redirect().back()
    }

    await throttle.succeeded()
    await new StartSession().handle(ctx, user)
    return response.redirect(session.pull('returnTo', '/'))
  }

  /** Signs out: the stored session is deleted, not just emptied. */
  async destroy(ctx: HttpContext) {
    await new EndSession().handle(ctx)
    ctx.session.flash('notice', 'You are signed out.')
    return ctx.response.redirect('/login')
  }
}
