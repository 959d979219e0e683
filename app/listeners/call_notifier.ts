import { setImmediate as nextTurn } from 'node:timers/promises'
import edge from 'edge.js'
import type CallStarted from '#events/call_started'
import type CallUpdated from '#events/call_updated'
import type CallEnded from '#events/call_ended'
import CallParticipant from '#models/call_participant'
import Message from '#models/message'
import { callerOf, channelOf, loadCallDetails, serializeCall } from '#serializers/call_serializer'
import { ringPayload } from '#serializers/ring_serializer'
import { broadcastToChannel, broadcastToUser } from '#realtime/broadcast'
import type { CallChange } from '#actions/calls/call_change'

/**
 * Tells everyone concerned what a committed call transition changed, over SSE:
 * - each person's own channel `users/:id`: `call.ringing`, `call.ring_stopped`, `call.missed`
 *   (with their new unseen count) and `call.ended`;
 * - the call's Confab channel `channels/:id`: `call.started` / `call.updated` / `call.ended` with
 *   the whole call, and the call's timeline entry re-rendered.
 * The payloads are typed in app/realtime/sse_payloads.ts; docs/calls.md describes them.
 * Each call's notices go out one transition at a time, in commit order (the change's turn).
 */
export default class CallNotifier {
  async handle(event: CallStarted | CallUpdated | CallEnded) {
    const { change } = event
    // The call's earlier transitions have told everyone first (announceCallChange).
    await change.noticeTurn?.ready
    try {
      await this.#notify(change)
    } finally {
      change.noticeTurn?.done()
    }
  }

  async #notify(change: CallChange) {
    if (change.ringing.length) await this.#ring(change)
    const call = await loadCallDetails(change.call)
    const caller = callerOf(call)
    const channel = channelOf(call)

    for (const { userId, reason } of change.ringsStopped) {
      broadcastToUser(userId, { type: 'call.ring_stopped', callId: call.id, reason })
    }
    for (const userId of change.missedUserIds) {
      const unseenCount = await CallParticipant.unseenMissedCount(userId)
      broadcastToUser(userId, { type: 'call.missed', callId: call.id, caller, channel, unseenCount })
    }
    if (change.ended) {
      for (const participant of call.participants) {
        broadcastToUser(participant.userId, {
          type: 'call.ended',
          callId: call.id,
          status: call.status,
          reason: call.endReason,
          endedBy: call.endedById,
        })
      }
    }

    const type = change.started ? 'call.started' : change.ended ? 'call.ended' : 'call.updated'
    broadcastToChannel(call.channelId, { type, call: serializeCall(call) })
    await this.#refreshTimelineEntry(call.id, change.started)
  }

  /**
   * Rings go out before anything else is loaded or rendered: a late ring is a missed call.
   * StartCall hands the call over with its initiator and channel, which is all a ring needs.
   */
  async #ring(change: CallChange) {
    const call = change.call
    if (!('initiator' in call.$preloaded) || !('channel' in call.$preloaded)) {
      await call.load((loader) => loader.load('initiator').load('channel'))
    }
    for (const participant of change.ringing) {
      participant.$setRelated('call', call)
      broadcastToUser(participant.userId, ringPayload(participant))
    }
    // Node sends what was written to a chunked response on the next tick; until this chain of
    // promises yields, the rings would wait for every query and render that follows.
    await nextTurn()
  }

  /** The "Alice started a video call — Join" line in the channel, kept in step with the call. */
  async #refreshTimelineEntry(callId: number, isNew: boolean) {
    const message = await Message.query().where('call_id', callId).preload('author').first()
    if (!message) return
    await message.load('call', (query) => query.preload('initiator').preload('participants'))
    const html = await edge.render('frags/message', { message })
    broadcastToChannel(message.channelId, {
      type: isNew ? 'message.posted' : 'message.updated',
      id: message.id,
      authorId: message.userId,
      html,
    })
  }
}
