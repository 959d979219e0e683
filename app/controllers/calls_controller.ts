import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import CallHistory from '#actions/calls/call_history'
import { callHistoryValidator } from '#validators/call'
import { loadCallDetails, serializeCall } from '#serializers/call_serializer'
import { ringPayload } from '#serializers/ring_serializer'

export default class CallsController {
  /** `GET /calls`: my call history, with a Missed tab (the default while I have unseen ones). */
  async index({ auth, request, response, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const { tab, before } = await callHistoryValidator.validate(request.qs())
    const page = await new CallHistory().handle(user, { tab, before })

    if (request.accepts(['html', 'json']) === 'json') {
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

  /** `GET /calls/:id`: the call room. */
  async show({ auth, params, request, response, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const call = await loadCallDetails(await Call.findForMember(user, params.id))
    if (request.accepts(['html', 'json']) === 'json') return response.ok({ call: serializeCall(call) })

    const me = call.participants.find((participant) => participant.userId === user.id)
    const channelTitle = await call.channel.load('members').then(() => call.channel.titleFor(user))
    return view.render('pages/calls/show', { call, me, channelTitle, joinedCount: countJoined(call) })
  }

  /** `GET /calls/:id/participants`: the room's participant list (an htmx fragment). */
  async participants({ auth, params, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const call = await loadCallDetails(await Call.findForMember(user, params.id))
    const me = call.participants.find((participant) => participant.userId === user.id)
    return view.render('frags/call_participants', { call, me, joinedCount: countJoined(call) })
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
