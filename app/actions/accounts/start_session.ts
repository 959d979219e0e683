import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { DEVICE_KEY, recordSessionActivity } from '#services/account_sessions'

/** Signs a person in on this device: a fresh session id, tagged with its owner and device. */
export default class StartSession {
  async handle(ctx: HttpContext, user: User) {
    // login() regenerates the session id (no fixation), so the tag goes on the new id.
    await ctx.auth.use('web').login(user)
    ctx.session.forget(DEVICE_KEY)
    await recordSessionActivity(ctx, user)
  }
}
