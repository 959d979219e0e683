import logger from '@adonisjs/core/services/logger'
import type CallEnded from '#events/call_ended'
import sfuRooms from '#sfu/main'

/** An ended call's Janus room is destroyed (Janus hangs up whoever is still in it), after the commit. */
export default class CloseSfuRoom {
  async handle({ change }: CallEnded) {
    // The row, not this model, says whether there is a room: the model may predate the room.
    if (!sfuRooms.enabled) return
    await sfuRooms.closeFor(change.call.id).catch((error) => {
      logger.warn({ err: error, callId: change.call.id }, 'could not destroy the call’s Janus room')
    })
  }
}
