import type { HttpContext } from '@adonisjs/core/http'
import SignUp from '#actions/accounts/sign_up'
import StartSession from '#actions/accounts/start_session'
import { signupValidator } from '#validators/user'

/** Sign-up: a new account, signed in at once. */
export default class UsersController {
  async create({ view }: HttpContext) {
    return view.render('pages/auth/signup')
  }

  async store(ctx: HttpContext) {
    const { fullName, email, password } = await ctx.request.validateUsing(signupValidator)
    const user = await new SignUp().handle({ fullName, email, password })
    await new StartSession().handle(ctx, user)
    return ctx.response.redirect('/channels')
  }
}
