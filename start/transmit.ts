/*
| Server-Sent Events (Transmit). Every channel is private: the subscribe request is refused
| unless the signed-in user may read it.
*/
import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import Membership from '#models/membership'
import { middleware } from '#start/kernel'
// Starts tracking who holds which channel subscription (dropped when someone leaves).
import '#services/channel_subscriptions'

transmit.registerRoutes((route) => route.use(middleware.transmitRequest()))

/** A Confab channel's live messages: members only. */
transmit.authorize<{ id: string }>('channels/:id', async (ctx: HttpContext, { id }) => {
  const user = await ctx.auth.check().then(() => ctx.auth.user)
  if (!user || !/^\d+$/.test(id)) return false
  const membership = await Membership.query().where({ channelId: Number(id), userId: user.id }).first()
  return membership !== null
})

/** A person's own notifications (rings, missed calls): that person only. */
transmit.authorize<{ id: string }>('users/:id', async (ctx: HttpContext, { id }) => {
  await ctx.auth.check()
  return ctx.auth.user !== undefined && String(ctx.auth.user.id) === id
})
