/*
| Server-Sent Events (Transmit). Every channel is private: the subscribe request is refused
| unless the signed-in user may read it.
*/
import transmit from '@adonisjs/transmit/services/main'
import router from '@adonisjs/core/services/router'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import type { HttpContext } from '@adonisjs/core/http'
import Membership from '#models/membership'
import { middleware } from '#start/kernel'

/*
| Transmit's own paths (the browser client calls them), answered by Confab instead of the
| package's controllers: streams belong to their owner, are capped per person, and an
| (un)subscribe works on whichever instance it reaches (app/services/live_streams.ts).
*/
const LiveStreamsController = () => import('#controllers/live_streams_controller')
router
  .group(() => {
    router.get('__transmit/events', [LiveStreamsController, 'open'])
    router.post('__transmit/subscribe', [LiveStreamsController, 'subscribe'])
    router.post('__transmit/unsubscribe', [LiveStreamsController, 'unsubscribe'])
  })
  .use(middleware.transmitRequest())

/*
| On shutdown this instance's streams end (their pages reconnect to another instance) and leave
| the shared directory at once, not after its TTL. The hook must run before the HTTP server
| closes, which waits for open connections: terminating hooks run last-registered first, and
| the server registers its own before `ready`.
*/
app.ready(() => {
  // Only a process that serves HTTP holds streams: an Ace command (a migration) must not open
  // the stream directory (a Redis connection) just to close it.
  if (!['web', 'test'].includes(app.getEnvironment())) return
  app.terminating(async () => {
    const { default: liveStreams } = await import('#services/live_streams')
    await liveStreams.close()
  })
})

// With Redis, broadcasts from other instances arrive through one subscription made at boot. Its
// failure (Redis away past ioredis's retries) used to be an unhandled rejection (patches/).
transmit.on('transportError', (error) => {
  logger.error({ err: error }, 'SSE: subscribing to the broadcast channel in Redis failed; other instances\' events will not reach this one')
})

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
