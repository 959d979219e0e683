import User from '#models/user'
import { isUniqueViolation } from '#helpers/unique_violation'

type NewAccount = { fullName: string; email: string; password: string }

/**
 * Creates an account from the sign-up form. The first account ever signed up becomes an admin
 * (docs/admin.md): it claims `first_account`, whose unique index admits one claim only, so two
 * sign-ups racing on an empty table cannot both win; the loser is created as a plain account.
 */
export default class SignUp {
  async handle(account: NewAccount) {
    if (await User.query().select('id').first()) return User.create(account)
    try {
      return await User.create({ ...account, isAdmin: true, firstAccount: true })
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      // Someone claimed it first, or this email was taken meanwhile (then this create fails too).
      return User.create(account)
    }
  }
}
