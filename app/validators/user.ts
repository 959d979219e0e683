import vine from '@vinejs/vine'
import { email, password } from '#validators/rules'

/** Sign-up form. */
export const signupValidator = vine.create({
  fullName: vine.string().trim().minLength(2).maxLength(80),
  email: email().unique({ table: 'users', column: 'email' }),
  password: password().confirmed({ confirmationField: 'passwordConfirmation' }),
})
