import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import Call from '#models/call'
import type { CallRoom } from '#signaling/call_room'
import type { CallSocket, SfuFrameType } from '#signaling/call_socket'
import type { ClientFrames } from '#signaling/protocol'
import { JanusError } from '#sfu/janus_protocol'
import { SfuOutOfOrder, SfuParticipant } from '#sfu/sfu_participant'
import type { SfuRooms } from '#sfu/sfu_rooms'
import { CallTopology } from '#sfu/call_topology'

/**
 * The SFU side of the call sockets on this instance: each member's SfuParticipant (their
 * Janus handles), created by their first `sfu.publish` and torn down when they leave the call
 * (leave, removal, the reaper), when a new page of theirs takes over, and with the room when the
 * call ends. A socket that only dropped keeps its handles for the reconnect grace: the page's
 * media to Janus does not go through the socket.
 */
export class CallSfu {
  #participants = new Map<number, Map<number, SfuParticipant>>()
  /** Mesh or SFU as the call grows, shrinks or loses its Janus (app/sfu/call_topology.ts). */
  readonly topology: CallTopology

  constructor(
    private rooms: SfuRooms,
    private callRooms: ReadonlyMap<number, CallRoom>,
    /** Told after each successful publish (the call recorder starts Janus's recording then). */
    private onPublished: (callId: number, participant: SfuParticipant) => void = () => {}
  ) {
    this.topology = new CallTopology(rooms, callRooms, (callId) => this.closeCall(callId))
  }

  /** Handles one `sfu.*` frame of a joined member (CallHub checked the socket speaks for them). */
  async handle(socket: CallSocket, frame: ClientFrames[SfuFrameType]) {
    try {
      if (frame.type === 'sfu.publish') {
        const publisher = await this.#participantFor(socket)
        await publisher?.publish(frame.jsep)
        if (publisher) this.onPublished(socket.callId, publisher)
        return
      }
      const participant = this.#participants.get(socket.callId)?.get(socket.user.id)
      // Back on the mesh: nothing of this page left to detach is fine.
      if (frame.type === 'sfu.leave') return participant?.seat.peerId === socket.peerId ? await this.leave(socket.callId, socket.user.id) : undefined
      if (!participant || participant.seat.peerId !== socket.peerId) {
        return socket.error('not_sfu', `${frame.type} before sfu.publish`)
      }
      if (frame.type === 'sfu.subscribe') return participant.subscribe()
      if (frame.type === 'sfu.start') return await participant.start(frame.jsep)
      if (frame.type === 'sfu.layers') return participant.setLayers(frame.layers)
      return await participant.trickle(frame.target, frame.candidate)
    } catch (error) {
      if (error instanceof SfuOutOfOrder) return socket.error('not_sfu', error.message)
      if (!(error instanceof JanusError)) throw error
      logger.warn({ err: error, callId: socket.callId, userId: socket.user.id }, `${frame.type} failed`)
      socket.error('sfu_unavailable', `The media server refused ${frame.type}: ${error.message}`.slice(0, 200))
    }
  }

  /**
   * The member's participant, new for a first publish, a new page, or a new room (the call went
   * back to the mesh and came again, or its Janus was lost): the old one is closed.
   */
  async #participantFor(socket: CallSocket) {
    const { callId, user, peerId } = socket
    const call = await Call.findOrFail(callId)
    const held = this.#participants.get(callId)?.get(user.id)
    if (held && held.seat.peerId === peerId && !held.closed && held.seat.room === call.sfuRoomId) return held
    await this.leave(callId, user.id)
    if (!this.rooms.usesSfu(call)) return socket.error('not_sfu', 'This call is a mesh: use signal frames')
    const place = await this.rooms.openFor(callId, callsConfig.maxParticipants)
    const server = this.rooms.server(place.server)
    if (!server) throw new JanusError(0, `Janus ${place.server} is not configured here`)
    const { secret, pin } = this.rooms.credentials(place.server, place.room)
    const participant = new SfuParticipant({
      server,
      room: place.room,
      pin,
      secret,
      userId: user.id,
      name: user.fullName,
      peerId,
      send: (frame) => this.callRooms.get(callId)?.members.get(user.id)?.socket?.send(frame),
    })
    let byUser = this.#participants.get(callId)
    if (!byUser) this.#participants.set(callId, (byUser = new Map()))
    byUser.set(user.id, participant)
    return participant
  }

  /**
   * Someone was welcomed (see AdmissionHost.admitted): the topology looks at the count, and a
   * page that came back gets its handles back if this instance holds none.
   */
  admitted(room: CallRoom, call: Call, joined: number, socket: CallSocket, resumed: boolean) {
    if (resumed) this.#resumed(socket, call)
    this.topology.admitted(room, call, joined)
  }

  /**
   * A page came back on its socket. Its handles live on the instance that made them: back here
   * within the grace, they are still held; on another instance (the first one died, or a
   * balancer moved it), none are, and Janus dropped the dead instance's with its session. The
   * page is told to publish and subscribe again: its media reaches Janus through this instance.
   */
  #resumed(socket: CallSocket, call: Call) {
    if (!this.rooms.usesSfu(call)) return
    const held = this.#participants.get(call.id)?.get(socket.user.id)
    if (held && held.seat.peerId === socket.peerId && !held.closed) return
    socket.send({ type: 'sfu.restart' })
  }

  /** The member's participant on this instance (their Janus handles), if they published here. */
  participant(callId: number, userId: number) {
    return this.#participants.get(callId)?.get(userId)
  }

  /** The member left the call (or was replaced): their handles go. */
  async leave(callId: number, userId: number) {
    const participants = this.#participants.get(callId)
    const participant = participants?.get(userId)
    if (!participant) return
    participants!.delete(userId)
    if (participants!.size === 0) this.#participants.delete(callId)
    await participant.close().catch(() => {})
  }

  /** The call's sockets are gone from this instance (ended, emptied, shutdown): all its handles go. */
  closeCall(callId: number) {
    const participants = this.#participants.get(callId)
    if (!participants) return
    this.#participants.delete(callId)
    for (const participant of participants.values()) void participant.close().catch(() => {})
  }
}
