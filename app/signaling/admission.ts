import type { WebSocket } from 'ws'
import callsConfig from '#config/calls'
import Call from '#models/call'
import sfuRooms from '#sfu/main'
import CallParticipant from '#models/call_participant'
import type User from '#models/user'
import type { IceServers } from '#services/ice_servers'
import type { CallBus, PresenceEntry } from '#signaling/call_bus'
import { CallRoom, participantInfo, publish, type Member } from '#signaling/call_room'
import type { CallSocket, SocketCredential } from '#signaling/call_socket'
import { EarlyFrames } from '#signaling/early_frames'
import { isFresh, type Presence } from '#signaling/presence'
import { CloseCode, type ServerFrame } from '#signaling/protocol'

/** How often a connect re-reads the call when it keeps changing under it (see Admission.#admit). */
const ADMIT_ATTEMPTS = 5

/** What admission needs of the hub: its rooms, and the sockets it hands frames to. */
export interface AdmissionHost {
  readonly rooms: ReadonlyMap<number, CallRoom>
  /** The call's room, opened (and subscribed to the bus) once however many sockets race there. */
  openRoom(room: CallRoom): Promise<CallRoom>
  closeRoom(room: CallRoom): void
  /** A socket whose frames go to the hub. */
  newSocket(ws: WebSocket, user: User, credential: SocketCredential, callId: number, peerId: string | null): CallSocket
  /** The socket closed (see CallSocketHandler.closed). */
  closed(socket: CallSocket): void
  /** Someone was welcomed into a call of `joined` participants (the SFU switch looks at the count). */
  admitted(room: CallRoom, call: Call, joined: number): void
}

type Pending = { connects: number; syncs: number }

/**
 * Who may have a socket in a call, checked against the database after the handshake: a member of
 * the channel, `joined` in a live call that is not full. One connection per person and call.
 */
export class Admission {
  /** Calls with connects in progress, and how many syncs of each ran meanwhile. */
  #pending = new Map<number, Pending>()

  constructor(
    private host: AdmissionHost,
    private bus: CallBus,
    private presence: Presence,
    private iceServers: IceServers
  ) {}

  /** The call changed (a committed transition): connects of it in progress check again. */
  callChanged(callId: number) {
    const pending = this.#pending.get(callId)
    if (pending) pending.syncs += 1
  }

  /** Takes over a freshly upgraded socket for `callId`, or closes it with the reason. */
  async connect(ws: WebSocket, user: User, credential: SocketCredential, callId: number, peerId: string | null) {
    // Frames that arrive while the checks below run are handled once the socket is admitted.
    const early = new EarlyFrames(ws)
    // A sync of this call while the checks run makes them stale: they run again (see #admit).
    const pending = this.#pending.get(callId) ?? { connects: 0, syncs: 0 }
    pending.connects += 1
    this.#pending.set(callId, pending)
    try {
      const admitted = await this.#admit(early, user, credential, callId, peerId, pending)
      if (!admitted) return
      const { member, socket, welcome, room } = admitted
      early.stop()
      socket.listen()
      // It closed while its presence was written: the close event has been and gone.
      if (socket.isClosed) return this.host.closed(socket)
      // Removed (or replaced) while its presence was written: no welcome for a socket already closing.
      if (room.members.get(user.id) === member && member.socket === socket) {
        socket.send(welcome())
        room.broadcast({ type: 'participant.joined', participant: room.info(member), reconnected: admitted.reconnected }, user.id)
        this.host.admitted(room, admitted.call, admitted.joined)
      }
      early.drainInto((data, isBinary) => socket.receive(data, isBinary))
    } catch (error) {
      early.refuse(CloseCode.ServerError, 'Server error')
      throw error
    } finally {
      pending.connects -= 1
      if (pending.connects === 0) this.#pending.delete(callId)
    }
  }

  /**
   * The checks of a connect, and the admission. The database can change during its awaits (the
   * call ends, the person leaves over HTTP): a sync of this call meanwhile (`pending.syncs`
   * moved) means the reads may be stale, so they run again. Admission itself is synchronous
   * after the last read, so a sync that starts later finds the member in the room.
   */
  async #admit(early: EarlyFrames, user: User, credential: SocketCredential, callId: number, peerId: string | null, pending: Pending) {
    for (let attempt = 1; ; attempt++) {
      const syncsBefore = pending.syncs
      const call = await Call.findForMember(user, callId).catch((error) => {
        if (error?.code === 'E_ROW_NOT_FOUND') return null
        throw error
      })
      if (early.gone) return null
      if (!call) return early.refuse(CloseCode.NoSuchCall, 'No such call')
      if (!call.isLive) return early.refuse(CloseCode.CallEnded, 'This call has ended')
      const joined = await this.#joinedParticipants(callId)
      if (early.gone) return null
      const me = joined.find((participant) => participant.userId === user.id)
      if (!me) return early.refuse(CloseCode.NotParticipant, 'You are not in this call: join it first')

      // Sockets of this call held by other instances (none without Redis).
      const remote = await this.bus.presence(callId)
      if (early.gone) return null
      let room = this.host.rooms.get(callId) ?? new CallRoom(callId, this.bus)
      const existing = room.members.get(user.id)
      const mineElsewhere = remote.get(user.id)
      const othersElsewhere = [...remote.entries()].filter(
        ([userId, entry]) => userId !== user.id && entry.instance !== this.bus.instanceId && !room.members.has(userId)
      ).length
      if (!existing && !mineElsewhere && room.members.size + othersElsewhere >= callsConfig.maxParticipants) {
        return early.refuse(CloseCode.CallFull, `This call is full (${callsConfig.maxParticipants} people)`)
      }
      // Subscribed before anyone elsewhere can learn we are here (and send us frames).
      room = await this.host.openRoom(room)
      // Still the room of the call, and nothing moved since the reads: admit.
      const current = this.host.rooms.get(callId) === room && pending.syncs === syncsBefore
      if (early.gone || !current) {
        if (room.members.size === 0) this.host.closeRoom(room)
        if (early.gone) return null
        if (attempt >= ADMIT_ATTEMPTS) return early.refuse(CloseCode.TryAgainLater, 'The call is changing, reconnect')
        continue
      }
      this.presence.startPinging()

      const media = mineElsewhere
        ? { audio: mineElsewhere.audio, video: mineElsewhere.video, screen: mineElsewhere.screen }
        : { audio: me.audioEnabled, video: me.videoEnabled, screen: me.screenSharing }
      // A raised hand survives a reconnect, here or from another instance (it is room state, not stored).
      const handRaisedAt = mineElsewhere?.handRaisedAt ?? null
      const member: Member = existing ?? { userId: user.id, participantId: me.id, name: user.fullName, media, peerId, socket: null, graceTimer: null, handRaisedAt }
      const reconnected = Boolean(existing || mineElsewhere)
      this.presence.stopGrace(member)
      member.socket?.replace()
      member.participantId = me.id
      member.peerId = peerId
      const socket = this.host.newSocket(early.ws, user, credential, callId, peerId)
      member.socket = socket
      room.members.set(user.id, member)
      // One connection per person and call, across instances too.
      if (mineElsewhere && mineElsewhere.instance !== this.bus.instanceId) {
        publish(this.bus, callId, { kind: 'replace', userId: user.id })
      }
      await this.presence.share(room, member)
      const welcome = (): ServerFrame => ({
        type: 'welcome',
        self: { userId: user.id, name: user.fullName },
        call: {
          id: call.id,
          kind: call.kind,
          status: call.status,
          initiatorId: call.initiatorId,
          answeredAt: call.answeredAt?.toISO() ?? null,
          maxParticipants: callsConfig.maxParticipants,
        },
        participants: joined.map((participant) => whereabouts(room, participant, remote.get(participant.userId))),
        iceServers: this.iceServers.for(user.id),
        iceTransportPolicy: this.iceServers.transportPolicy,
        topology: sfuRooms.usesSfu(call) ? 'sfu' : 'mesh',
      })
      return { room, member, socket, welcome, reconnected, call, joined: joined.length }
    }
  }

  /**
   * Who is in the call, with just what the welcome needs. Every (re)connect reads this, and a
   * reconnect storm reads it thousands of times a second: whole rows would parse half a dozen
   * timestamps per person (and carry every user's password hash) only to throw them away.
   */
  #joinedParticipants(callId: number) {
    return CallParticipant.query()
      .select('id', 'user_id', 'audio_enabled', 'video_enabled', 'screen_sharing')
      .where({ callId, status: 'joined' })
      .preload('user', (query) => query.select('id', 'full_name'))
      .orderBy('id')
  }
}

/** A joined participant as the welcome shows them: in the room here, on another instance, or away. */
function whereabouts(room: CallRoom, participant: CallParticipant, elsewhere: PresenceEntry | undefined) {
  const inRoom = room.members.get(participant.userId)
  if (inRoom) return room.info(inRoom)
  if (elsewhere) return participantInfo({ userId: participant.userId, ...elsewhere }, isFresh(elsewhere) ? 'connected' : 'reconnecting')
  return participantInfo(
    {
      userId: participant.userId,
      name: participant.user.fullName,
      audio: participant.audioEnabled,
      video: participant.videoEnabled,
      screen: participant.screenSharing,
      peerId: null,
    },
    'away'
  )
}
