import vine from '@vinejs/vine'
import { ACCESS_TOKEN_LIFETIMES, type AccessTokenLifetime } from '#models/access_tokens'

/** A new personal access token: a name its owner will recognise, and how long it lives. */
export const createAccessTokenValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(60),
  expiresIn: vine.enum(Object.keys(ACCESS_TOKEN_LIFETIMES) as AccessTokenLifetime[]),
})
