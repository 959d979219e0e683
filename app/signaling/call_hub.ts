import type { WebSocket } from 'ws'
import logger from '@adonisjs/core/services/logger'
import Call from '#models/call'
import type User from '#models/user'
import LeaveCall from '#actions/calls/leave_call'
import EndCall from '#actions/calls/end_call'
import type { CallChange, LeaveReason } from '#actions/calls/call_change'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { IceServers } from '#services/ice_servers'
import { MediaStateWriter } from '#signaling/media_state_writer'
import { LocalBus, RedisBus, type BusMessage, type CallBus, type SyncNotice } from '#signaling/call_bus'
import { redisConnection } from '#config/redis'
import { CallRoom, publish } from '#signaling/call_room'
import { CallSocket, type CallSocketHandler, type SfuFrameType, type SocketCredential } from '#signaling/call_socket'
import { SocketRevocations } from '#signaling/socket_revocations'
import { Admission } from '#signaling/admission'
import { Presence } from '#signaling/presence'
import { CallHands, authorize } from '#signaling/call_hands'
import { CloseCode, type ClientFrames } from '#signaling/protocol'
import { measureCallSocketsWith } from '#metrics/signaling_metrics'
import { CallSfu } from '#sfu/call_sfu'
import sfuRooms from '#sfu/main'
import { sfuPublished } from '#recording/sfu_published'

/**
 * The call WebSocket hub: which calls have sockets here (the rooms), the bus to the other
 * instances, and `sync`, which keeps the sockets in step with the database after every committed
 * call transition (the database stays the source of truth for who is in a call). Admission,
 * presence, the relay inside a call and each socket's frames live in their own files.
 */
export class CallHub implements CallSocketHandler {
  #rooms = new Map<number, CallRoom>()
  #iceServers = new IceServers()
  #mediaStates = new MediaStateWriter()
  #presence: Presence
  #admission: Admission
  #hands: CallHands
  /** The members' Janus handles held here (the recorder reaches them through it). */
  readonly callSfu = new CallSfu(sfuRooms, this.#rooms, (callId, participant) => sfuPublished.emit('published', callId, participant))
  #revocations: SocketRevocations

  /** `bus` shares presence and frames with other instances (RedisBus), or nothing (LocalBus). */
  constructor(private bus: CallBus = new LocalBus()) {
    this.#presence = new Presence(this.#rooms, bus, (room, userId) => this.#removeMember(room, userId, 'timeout'))
    const host = {
      rooms: this.#rooms,
      openRoom: (room: CallRoom) => this.#openRoom(room),
      closeRoom: (room: CallRoom) => this.#closeRoom(room),
      newSocket: (ws: WebSocket, user: User, credential: SocketCredential, callId: number, peerId: string | null) =>
        new CallSocket(ws, user, credential, callId, peerId, this, this.#iceServers),
      closed: (socket: CallSocket) => this.closed(socket),
      admitted: (...args: Parameters<CallSfu['admitted']>) => this.callSfu.admitted(...args),
    }
    this.#admission = new Admission(host, bus, this.#presence, this.#iceServers)
    this.#hands = new CallHands(bus, this.#presence)
    this.#revocations = new SocketRevocations(this.#rooms, bus)
  }

  /** Closes the sockets of sign-ins that ended (revoked tokens, signed-out sessions), on every instance. */
  get revocations() {
    return this.#revocations
  }
  /** The calls this instance holds sockets of (a room each). */
  get rooms(): ReadonlyMap<number, CallRoom> { return this.#rooms }

  /** Open sockets held here (the confab_call_sockets gauge). */
  get socketCount() {
    let open = 0
    for (const room of this.#rooms.values()) {
      for (const member of room.members.values()) if (member.socket && !member.socket.isClosed) open++
    }
    return open
  }

  /** Takes over a freshly upgraded socket for `callId`, or closes it with the reason. */
  connect(ws: WebSocket, user: User, credential: SocketCredential, callId: number, peerId: string | null) {
    return this.#admission.connect(ws, user, credential, callId, peerId)
  }

  /** Whether the socket still holds its person's place in the call. */
  speaksFor(socket: CallSocket) {
    return Boolean(this.#rooms.get(socket.callId)?.memberOf(socket))
  }

  /** Relays a `signal` frame to the member it is for. */
  signal(socket: CallSocket, frame: ClientFrames['signal']) {
    return this.#rooms.get(socket.callId)?.relaySignal(socket, frame)
  }

  /** Shares a member's microphone/camera/screen state and keeps it in the database. */
  media(socket: CallSocket, frame: ClientFrames['media']) {
    const room = this.#rooms.get(socket.callId)
    const member = room?.memberOf(socket)
    if (!room || !member) return
    room.updateMedia(member, frame)
    void this.#presence.share(room, member)
    this.#mediaStates.record(member.participantId, member.media)
  }

  /** A `leave` frame: what the Leave button does over HTTP (CallParticipationsController.destroy). */
  async leave(socket: CallSocket) {
    await this.#transition(socket, async (call) => {
      await new LeaveCall().handle(socket.user, call.id)
    })
  }

  /** An `end` frame: what End does over HTTP (CallEndingsController.store), with the same policy. */
  async end(socket: CallSocket) {
    await this.#transition(socket, async (call) => {
      const decision = await authorize(socket, 'end', call)
      if (!decision.authorized) return socket.error('not_initiator', decision.message ?? 'Not allowed')
      await new EndCall().handle(socket.user, call.id)
    })
  }

  /** A `hand` frame: raise or lower mine, or (the initiator) lower someone else's (see CallHands). */
  async hand(socket: CallSocket, frame: ClientFrames['hand']) {
    const room = this.#rooms.get(socket.callId)
    const member = room?.memberOf(socket)
    if (!room || !member) return
    if (frame.userId === undefined || frame.userId === member.userId) return this.#hands.set(room, member, frame.raised, member.userId)
    await this.#transition(socket, (call) => this.#hands.others(room, member, socket, frame, call))
  }

  /** A `reaction` frame (already past its own rate limit in CallSocket): relayed, never stored. */
  reaction(socket: CallSocket, frame: ClientFrames['reaction']) {
    this.#rooms.get(socket.callId)?.reactFrom(socket, frame.emoji)
  }

  /** The `sfu.*` frames: the member's Janus handles (app/sfu/call_sfu.ts). */
  async sfu(socket: CallSocket, frame: ClientFrames[SfuFrameType]) {
    if (this.speaksFor(socket)) await this.callSfu.handle(socket, frame)
  }

  /** Loads the call through the person, as HTTP does; a call gone or over is an `error` frame. */
  async #transition(socket: CallSocket, run: (call: Call) => Promise<void>) {
    try {
      const call = await Call.findForMember(socket.user, socket.callId)
      await run(call)
    } catch (error: any) {
      if (error?.code === 'E_ROW_NOT_FOUND') return socket.error('call_ended', 'This call no longer exists.')
      if (error instanceof CallConflictException) return socket.error('call_ended', error.message)
      throw error
    }
  }

  /** A socket closed. Unless it was removed or replaced first, its place waits for a reconnect. */
  closed(socket: CallSocket) {
    const room = this.#rooms.get(socket.callId)
    const member = room?.memberOf(socket)
    // A room the hub already let go of (call ended, server shutting down) arms no timers.
    if (!room || !member) return
    member.socket = null
    void this.#presence.share(room, member)
    this.#presence.startGrace(room, member, socket.user)
  }

  /** People `joined` with no socket anywhere past the grace leave (see Presence.reapAbsent). */
  reapAbsent(now = Date.now()) {
    return this.#presence.reapAbsent(now)
  }

  /**
   * Brings the sockets of a call in step with a committed transition, from what it says alone: a
   * call that ended tells everyone and closes every socket (4410); who left is removed (4411 when
   * they left the channel) and the others told. Rings alone touch no socket.
   */
  sync(change: CallChange) {
    if (!change.touchesSockets) return
    const { call } = change
    const notice: SyncNotice = {
      left: change.left,
      ended: change.ended ? { endedBy: call.endedById ?? null, reason: call.endReason ?? null } : null,
    }
    // The other instances holding sockets of this call follow the same transition.
    publish(this.bus, call.id, { kind: 'sync', ...notice })
    this.#follow(call.id, notice)
  }

  #follow(callId: number, { left, ended }: SyncNotice) {
    // Connects of this call in progress read the database again before they admit anyone.
    this.#admission.callChanged(callId)
    const room = this.#rooms.get(callId)
    if (!room) return
    if (ended) {
      // Each instance tells its own sockets (no relay: that would tell them twice).
      room.broadcastHere({ type: 'call.ended', ...ended })
      for (const member of room.members.values()) {
        this.#presence.stopGrace(member)
        member.socket?.close(CloseCode.CallEnded, 'This call has ended')
        void this.bus.removePresence(callId, member.userId).catch(() => {})
      }
      return this.#closeRoom(room)
    }
    for (const { userId, reason } of left) {
      // Someone who left the call's channel (and so the call) is told why: their page cannot come back.
      if (reason !== 'left_channel') this.#removeMember(room, userId, reason)
      else this.#removeMember(room, userId, 'left', { code: CloseCode.LeftChannel, reason: 'You left this channel, and its call' })
    }
    if (left.length > 0) void this.callSfu.topology.shrunk(callId).catch((error) => logger.warn({ err: error, callId }, 'back to the mesh failed'))
  }

  #removeMember(
    room: CallRoom,
    userId: number,
    reason: Exclude<LeaveReason, 'left_channel'>,
    close = { code: CloseCode.Normal as number, reason: 'You left the call' }
  ) {
    const member = room.members.get(userId)
    if (!member) return
    this.#presence.stopGrace(member)
    room.members.delete(userId)
    void this.callSfu.leave(room.callId, userId)
    member.socket?.close(close.code, close.reason)
    room.broadcast({ type: 'participant.left', userId, reason })
    void this.bus.removePresence(room.callId, userId).catch(() => {})
    if (room.members.size === 0) this.#closeRoom(room)
  }

  /** A message from another instance about a call this instance holds sockets of. */
  #receive(callId: number, message: BusMessage) {
    const room = this.#rooms.get(callId)
    if (!room) return
    if (message.kind === 'frame') return room.deliver(message.payload, message.except, message.to)
    if (message.kind === 'sync') return this.#follow(callId, message)
    if (message.kind === 'token_revoked' || message.kind === 'sessions_revoked') return this.#revocations.apply(room, message)
    if (message.kind === 'hand') return this.#hands.lowered(room, message.userId, message.by)
    // 'replace': the person connected to this call on another instance; that socket wins.
    const member = room.members.get(message.userId)
    if (!member) return
    this.#presence.stopGrace(member)
    room.members.delete(message.userId)
    void this.callSfu.leave(callId, message.userId)
    member.socket?.replace()
    if (room.members.size === 0) this.#closeRoom(room)
  }

  async #openRoom(room: CallRoom) {
    const current = this.#rooms.get(room.callId)
    if (current) {
      await current.subscribed
      return current
    }
    this.#rooms.set(room.callId, room)
    if (this.bus.shared) {
      room.subscribed = this.bus
        .join(room.callId, (message) => this.#receive(room.callId, message))
        .catch((error) => logger.error({ err: error, callId: room.callId }, 'call bus join failed'))
      await room.subscribed
    }
    return room
  }

  #closeRoom(room: CallRoom) {
    if (this.#rooms.get(room.callId) !== room) return
    this.#rooms.delete(room.callId)
    this.callSfu.closeCall(room.callId)
    if (this.bus.shared) void this.bus.leave(room.callId).catch(() => {})
  }

  /**
   * Drops a person's socket the way a network failure would (no close handshake): their place
   * waits for a reconnect. For operators, and for the browser tests of signaling repair.
   */
  terminate(callId: number, userId: number) {
    return this.#rooms.get(callId)?.terminate(userId) ?? false
  }

  /** Process exit: shut down, then close the connections to the other instances. */
  async close() {
    this.shutdown()
    await this.#mediaStates.flush()
    await this.bus.close()
  }

  /** Server shutdown: every page is told to reconnect (1001), every timer stops. */
  shutdown() {
    this.#presence.restart()
    // Media states still waiting for their write go out now, not after the server is gone.
    void this.#mediaStates.flush()
    for (const room of [...this.#rooms.values()]) {
      for (const member of room.members.values()) {
        this.#presence.stopGrace(member)
        member.socket?.close(CloseCode.GoingAway, 'Server restarting, reconnect')
        // Another instance takes over: their grace starts now.
        if (this.bus.shared) void this.#presence.share(room, { ...member, socket: null })
      }
      this.#closeRoom(room)
    }
  }
}

const callHub = new CallHub(redisConnection ? new RedisBus(redisConnection) : new LocalBus())
measureCallSocketsWith(() => callHub.socketCount)
export default callHub
