import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import Message from '#models/message'
import CallParticipant from '#models/call_participant'
import CallHistory from '#actions/calls/call_history'
import { callHistoryValidator } from '#validators/call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'
import { respondWithCall, wantsJson } from '#helpers/call_response'
import { wantsFragment } from '#helpers/htmx'
import { ringPayload } from '#serializers/ring_serializer'
import { recordingPageData } from '#recording/recording_page'

export default class CallsController {
  /** `GET /calls`: my call history, with a Missed tab (the default while I have unseen ones). */
  async index({ auth, request, response, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const { tab, before } = await callHistoryValidator.validate(request.qs())
    const page = await new CallHistory().handle(user, { tab, before })

    if (wantsJson(request)) {
      return response.ok({
        tab: page.tab,
        entries: page.entries.map((entry) => ({ ...entry, call: serializeCall(entry.call) })),
        nextBefore: page.nextBefore,
        unseenMissedCount: page.unseenMissedCount,
      })
    }
    if (request.header('hx-request') && before) {
      return view.render('frags/call_history_rows', page)
    }
    // The history just counted the unseen missed calls: the navigation badge reuses that count
    // instead of asking the database again.
    view.share({ missedCallCount: () => page.unseenMissedCount })
    return view.render('pages/calls/index', page)
  }

  /**
   * `GET /calls/:id`: the call room; its participant list alone (frags/call_participants) when
   * that list refreshes itself with htmx.
   */
  async show(ctx: HttpContext) {
    const { auth, params, view } = ctx
    const user = auth.getUserOrFail()
    const call = await loadCallDetails(await Call.findForMember(user, params.id))
    return respondWithCall(ctx, call, async () => {
      const me = call.participants.find((participant) => participant.userId === user.id)
      const joinedCount = countJoined(call)
      if (wantsFragment(ctx, 'call-participants')) {
        return view.render('frags/call_participants', { call, me, joinedCount })
      }
      const channelTitle = await call.channel.load('members').then(() => call.channel.titleFor(user))
      // The chat beside the call is the channel page's timeline (frags/channel_chat). Unlike
      // the channel page this does not mark it read: on phones the chat starts closed, so the
      // browser marks what the panel actually shows.
      const page = await Message.pageOf(call.channel)
      const inCall = me?.status === 'joined' && call.isLive
      return view.render('pages/calls/show', {
        ...(await recordingPageData(ctx.bouncer, call, me)),
        call,
        me,
        channelTitle,
        joinedCount,
        inCall,
        channel: call.channel,
        title: channelTitle,
        messages: page.messages,
        hasOlder: page.hasOlder,
      })
    })
  }

  /**
   * `GET /calls/ringing`: the calls ringing for me right now, by the server's clock. A tab that
   * wakes up (or reconnects its SSE stream) reconciles its incoming-call modal with this.
   */
  async ringing({ auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const rings = await CallParticipant.liveRingsOf(user.id)
    return response.ok({ rings: rings.map(ringPayload), unseenMissedCount: await CallParticipant.unseenMissedCount(user.id) })
  }
}

function countJoined(call: Call) {
  return call.participants.filter((participant) => participant.status === 'joined').length
}
