import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import sfuConfig from '#config/sfu'
import Call from '#models/call'
import Recording from '#models/recording'
import CallParticipant from '#models/call_participant'
import type { CallRoom } from '#signaling/call_room'
import type { CallRoom as SfuRoom, SfuRooms } from '#sfu/sfu_rooms'

/** What the pages of a call too large for the mesh are told when its Janus is lost (docs/sfu.md). */
export const SFU_LOST_MESSAGE = `The media server was lost and this call is too large for direct connections (more than ${sfuConfig.meshMaxParticipants} people)`

/**
 * Which way a call's media goes, mesh or SFU, as the call changes: to the SFU when it grows to
 * CALL_SFU_FROM, back to the mesh when it shrinks to CALL_BACK_TO_MESH_AT (hysteresis), and back
 * to the mesh when its Janus is lost if it still fits the mesh. Every instance holding sockets
 * of the call decides the same from the database; the conditional update that stores or clears
 * the call's room picks the one that tells the pages (its broadcast reaches the others' sockets
 * through the bus). The pages switch make-before-break (resources/js/calls/sfu_link.ts).
 */
export class CallTopology {
  constructor(
    private rooms: SfuRooms,
    private callRooms: ReadonlyMap<number, CallRoom>,
    /** Drops this instance's Janus handles of a call (its room is gone). */
    private dropHandles: (callId: number) => void
  ) {
    rooms.on('serverDown', (url) => {
      this.serverLost(url).catch((error) => logger.error({ err: error, janus: url }, 'could not move calls off a lost Janus'))
    })
  }

  /**
   * Someone was welcomed into a call of `joined` participants: at CALL_SFU_FROM a mesh call gets
   * its room and every page is told to move. With CALL_SFU_FROM=0 a call without a room (it fell
   * back to the mesh when its Janus was lost) moves once a server is up again and someone joins.
   */
  admitted(room: CallRoom, call: Call, joined: number) {
    const from = this.rooms.sfuFrom
    if (!this.rooms.enabled || from === null || joined < Math.max(from, 2) || call.sfuRoomId !== null) return
    if (!this.rooms.servers.some((server) => server.connection.state === 'up')) return
    this.moveToSfu(call.id, room).catch((error) => logger.warn({ err: error, callId: call.id }, 'could not move the call to the SFU; it stays a mesh'))
  }

  /**
   * A mesh call gets its room and every page is told to move (make-before-break, in the
   * browser): at CALL_SFU_FROM, and when a recording starts.
   */
  async moveToSfu(callId: number, room = this.callRooms.get(callId)) {
    await this.rooms.openFor(callId, callsConfig.maxParticipants)
    room?.broadcast({ type: 'topology', topology: 'sfu' })
  }

  /** Someone left the call: at CALL_BACK_TO_MESH_AT joined, a call on the SFU goes back to the mesh. */
  async shrunk(callId: number) {
    const at = this.rooms.backToMeshAt
    if (at === null) return
    const call = await Call.find(callId)
    if (!call?.isLive || call.sfuRoomId === null || call.sfuServer === null) return
    if ((await joinedCount(callId)) > at) return
    // Janus records the consenting publishers: a recorded call stays on the SFU (docs/recording.md).
    if (await Recording.runningFor(callId)) return
    const room = { server: call.sfuServer, room: call.sfuRoomId }
    if (!(await this.rooms.forget(callId, room))) return
    this.callRooms.get(callId)?.broadcast({ type: 'topology', topology: 'mesh' })
    // The room lives until the pages have left it (each once its mesh plays), then goes.
    await this.rooms.retire(room).catch((error) => logger.warn({ err: error, callId }, 'could not destroy the room of a call back on the mesh'))
  }

  /**
   * A Janus server was lost: every call here whose room was on it loses its room (so later
   * joiners get the mesh, and a Janus that comes back gets a fresh room), and its pages go back
   * to the mesh if it still fits, or are told why their media stopped.
   */
  async serverLost(url: string) {
    for (const callId of [...this.callRooms.keys()]) {
      const call = await Call.find(callId)
      if (!call || call.sfuServer !== url || call.sfuRoomId === null) continue
      this.dropHandles(callId)
      const room: SfuRoom = { server: url, room: call.sfuRoomId }
      const fits = (await joinedCount(callId)) <= sfuConfig.meshMaxParticipants
      if (!(await this.rooms.forget(callId, room))) continue
      logger.warn({ callId, janus: url, fits }, fits ? 'Janus lost: the call goes back to the mesh' : 'Janus lost: the call is too large for the mesh')
      this.callRooms
        .get(callId)
        ?.broadcast(fits ? { type: 'topology', topology: 'mesh' } : { type: 'error', code: 'sfu_lost', message: SFU_LOST_MESSAGE })
    }
  }
}

async function joinedCount(callId: number) {
  const row = await CallParticipant.query().where({ callId, status: 'joined' }).count('* as total').firstOrFail()
  return Number(row.$extras.total)
}
