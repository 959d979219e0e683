import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Channel from '#models/channel'
import CallParticipant from '#models/call_participant'

/**
 * Data every page layout needs. The sidebar is a function the layout awaits, so requests that
 * render no layout (fragments, JSON, /health) never pay for its query.
 */
export default class SharedViewDataMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if ('view' in ctx) {
      ctx.view.share({
        currentUser: () => ctx.auth.user,
        sidebar: () => (ctx.auth.user ? Channel.sidebarFor(ctx.auth.user) : { channels: [], directs: [] }),
        // The call dock (frags/call_dock.edge) of a page whose person is in a live call.
        joinedCall: async () => (ctx.auth.user ? (await CallParticipant.joinedLiveCallOf(ctx.auth.user.id))?.call : null),
        missedCallCount: () => (ctx.auth.user ? CallParticipant.unseenMissedCount(ctx.auth.user.id) : 0),
      })
    }
    return next()
  }
}
