/*
| Server-Sent Events (Transmit). Every channel is private: the subscribe request is refused
| unless the signed-in user may read it.
*/
import router from '@adonisjs/core/services/router'
import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import Membership from '#models/membership'
import { middleware } from '#start/kernel'
// Starts tracking who holds which channel subscription (dropped when someone leaves).
import '#services/channel_subscriptions'

// Transmit's routes (what `transmit.registerRoutes()` adds), with Confab's own stream opener:
// it keeps a few KB less per open tab (see the controller).
const EventStreamsController = () => import('#controllers/event_streams_controller')
const SubscribeController = () => import('@adonisjs/transmit/controllers/subscribe_controller')
const UnsubscribeController = () => import('@adonisjs/transmit/controllers/unsubscribe_controller')
router.get('__transmit/events', [EventStreamsController]).use(middleware.transmitRequest())
router.post('__transmit/subscribe', [SubscribeController]).use(middleware.transmitRequest())
router.post('__transmit/unsubscribe', [UnsubscribeController]).use(middleware.transmitRequest())

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
