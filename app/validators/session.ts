import vine from '@vinejs/vine'
import { email } from '#validators/rules'

/** Login form. Wrong credentials are reported by the controller, not here. */
export const loginValidator = vine.create({
  email: email(),
  password: vine.string().maxLength(128),
})
