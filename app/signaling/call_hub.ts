import type { WebSocket, RawData } from 'ws'
import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import Membership from '#models/membership'
import type User from '#models/user'
import CallPolicy from '#policies/call_policy'
import LeaveCall from '#actions/calls/leave_call'
import EndCall from '#actions/calls/end_call'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import { IceServers } from '#services/ice_servers'
import { FrameBucket } from '#signaling/rate_limiter'
import { MediaStateWriter } from '#signaling/media_state_writer'
import { LocalBus, RedisBus, type BusMessage, type CallBus, type PresenceEntry } from '#signaling/call_bus'
import { redisConnection } from '#config/redis'
import { frameValidators, isFrameType } from '#signaling/frame_validators'
import {
  CloseCode,
  type ClientFrames,
  type MediaState,
  type ParticipantInfo,
  type ServerFrame,
  type SignalingErrorCode,
} from '#signaling/protocol'

type LeaveReason = 'left' | 'timeout'

/** The pinger visits a tenth of the calls at a time (see #startPinging). */
const PING_SLICES = 10

/** How often a connect re-reads the call when it keeps changing under it (see CallHub.#admit). */
const ADMIT_ATTEMPTS = 5

/** A person with a place in a call's room: connected, or within the reconnect grace. */
type Member = {
  userId: number
  /** Their call_participants row, where their media state is kept. */
  participantId: number
  name: string
  media: MediaState
  peerId: string | null
  socket: CallSocket | null
  graceTimer: NodeJS.Timeout | null
  leaveReason: LeaveReason | null
}

/** The sockets of one call. Lives while at least one member is connected or in grace. */
class CallRoom {
  members = new Map<number, Member>()
  /** Resolves once this instance receives the call's bus messages. */
  subscribed: Promise<void> = Promise.resolve()

  constructor(
    readonly callId: number,
    readonly kind: 'audio' | 'video',
    readonly initiatorId: number | null
  ) {}

  send(userId: number, frame: ServerFrame) {
    this.members.get(userId)?.socket?.send(frame)
  }

  broadcast(frame: ServerFrame, exceptUserId?: number) {
    const payload = JSON.stringify(frame)
    for (const member of this.members.values()) {
      if (member.userId !== exceptUserId) member.socket?.sendRaw(payload)
    }
  }

  info(member: Member): ParticipantInfo {
    return {
      userId: member.userId,
      name: member.name,
      ...member.media,
      connection: member.socket ? 'connected' : 'reconnecting',
      peerId: member.peerId,
    }
  }
}

/**
 * The call WebSocket hub: which sockets belong to which call, relaying signaling between
 * participants, syncing media state, presence (pings, reconnect grace) and the call's end.
 * The database stays the source of truth for who is in a call; the hub keeps sockets in step
 * with it (`sync`, called after every committed call transition).
 */
export class CallHub {
  #startedAt = Date.now()
  #rooms = new Map<number, CallRoom>()
  #iceServers = new IceServers()
  #pinger: NodeJS.Timeout | null = null
  #mediaStates = new MediaStateWriter()
  /** Calls with connects in progress, and how many syncs of each ran meanwhile. */
  #pending = new Map<number, { connects: number; syncs: number }>()

  /** `bus` shares presence and frames with other instances (RedisBus), or nothing (LocalBus). */
  constructor(private bus: CallBus = new LocalBus()) {}

  get roomCount() {
    return this.#rooms.size
  }

  /** Takes over a freshly upgraded socket for `callId`, or closes it with the reason. */
  async connect(ws: WebSocket, user: User, callId: number, peerId: string | null) {
    // Frames that arrive while the checks below run are handled once the socket is admitted,
    // up to a bound: they sit in memory meanwhile.
    const early: Array<{ data: RawData; isBinary: boolean }> = []
    let earlyBytes = 0
    let refused = false
    const refuse = (code: number, reason: string) => {
      refused = true
      ws.off('message', buffer)
      early.length = 0
      refuseSocket(ws, code, reason)
    }
    const buffer = (data: RawData, isBinary: boolean) => {
      earlyBytes += byteLength(data)
      if (early.length >= callsConfig.earlyFrames || earlyBytes > callsConfig.earlyBytes) {
        return refuse(CloseCode.Flood, 'Too many frames before the welcome')
      }
      early.push({ data, isBinary })
    }
    ws.on('message', buffer)
    // ws emits 'error' for a bad frame (too big, not masked): without a listener, before
    // CallSocket.listen adds its own, that would be an uncaught exception.
    ws.on('error', (error) => logger.debug({ err: error }, 'call socket error before admission'))
    // A sync of this call while the checks run makes them stale: they run again (see #admit).
    const pending = this.#pending.get(callId) ?? { connects: 0, syncs: 0 }
    pending.connects += 1
    this.#pending.set(callId, pending)
    try {
      const admitted = await this.#admit(ws, user, callId, peerId, pending, refuse, () => refused)
      if (!admitted) return
      const { member, socket, welcome, room } = admitted
      ws.off('message', buffer)
      socket.listen()
      // It closed while its presence was written: the close event has been and gone.
      if (ws.readyState === ws.CLOSED) return this.disconnected(room, socket)
      // Removed (or replaced) while its presence was written: no welcome for a socket already closing.
      if (room.members.get(user.id) === member && member.socket === socket) {
        socket.send(welcome())
        this.#broadcast(room, { type: 'participant.joined', participant: room.info(member), reconnected: admitted.reconnected }, user.id)
      }
      for (const { data, isBinary } of early.splice(0)) socket.receive(data, isBinary)
    } catch (error) {
      refuse(CloseCode.ServerError, 'Server error')
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
  async #admit(
    ws: WebSocket,
    user: User,
    callId: number,
    peerId: string | null,
    pending: { syncs: number },
    refuse: (code: number, reason: string) => void,
    isRefused: () => boolean
  ) {
    const gone = () => isRefused() || ws.readyState !== ws.OPEN
    for (let attempt = 1; ; attempt++) {
      const syncsBefore = pending.syncs
      const call = await Call.findForMember(user, callId).catch((error) => {
        if (error?.code === 'E_ROW_NOT_FOUND') return null
        throw error
      })
      if (gone()) return null
      if (!call) return refuse(CloseCode.NoSuchCall, 'No such call')
      if (!call.isLive) return refuse(CloseCode.CallEnded, 'This call has ended')
      const joined = await this.#joinedParticipants(callId)
      if (gone()) return null
      const me = joined.find((participant) => participant.userId === user.id)
      if (!me) return refuse(CloseCode.NotParticipant, 'You are not in this call: join it first')

      // Sockets of this call held by other instances (none without Redis).
      const remote = await this.bus.presence(callId)
      if (gone()) return null
      let room = this.#rooms.get(callId) ?? new CallRoom(callId, call.kind, call.initiatorId)
      const existing = room.members.get(user.id)
      const mineElsewhere = remote.get(user.id)
      const othersElsewhere = [...remote.entries()].filter(
        ([userId, entry]) => userId !== user.id && entry.instance !== this.bus.instanceId && !room.members.has(userId)
      ).length
      if (!existing && !mineElsewhere && room.members.size + othersElsewhere >= callsConfig.maxParticipants) {
        return refuse(CloseCode.CallFull, `This call is full (${callsConfig.maxParticipants} people)`)
      }
      // Subscribed before anyone elsewhere can learn we are here (and send us frames).
      room = await this.#openRoom(room)
      // Still the room of the call, and nothing moved since the reads: admit.
      const current = this.#rooms.get(callId) === room && pending.syncs === syncsBefore
      if (gone() || !current) {
        if (room.members.size === 0) this.#closeRoom(room)
        if (gone()) return null
        if (attempt >= ADMIT_ATTEMPTS) return refuse(CloseCode.TryAgainLater, 'The call is changing, reconnect')
        continue
      }
      this.#startPinging()

      const media = mineElsewhere
        ? { audio: mineElsewhere.audio, video: mineElsewhere.video, screen: mineElsewhere.screen }
        : { audio: me.audioEnabled, video: me.videoEnabled, screen: me.screenSharing }
      const member: Member = existing ?? {
        userId: user.id,
        participantId: me.id,
        name: user.fullName,
        media,
        peerId,
        socket: null,
        graceTimer: null,
        leaveReason: null,
      }
      const reconnected = Boolean(existing || mineElsewhere)
      if (member.graceTimer) clearTimeout(member.graceTimer)
      member.graceTimer = null
      member.socket?.replace()
      member.participantId = me.id
      member.peerId = peerId
      const socket = new CallSocket(ws, user, room, this, peerId)
      member.socket = socket
      room.members.set(user.id, member)
      // One connection per person and call, across instances too.
      if (mineElsewhere && mineElsewhere.instance !== this.bus.instanceId) {
        this.#publish(callId, { kind: 'replace', userId: user.id })
      }
      await this.#sharePresence(room, member)
      const finalRoom = room
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
        participants: joined.map((participant) => {
          const inRoom = finalRoom.members.get(participant.userId)
          if (inRoom) return finalRoom.info(inRoom)
          const elsewhere = remote.get(participant.userId)
          if (elsewhere) {
            return {
              userId: participant.userId,
              name: elsewhere.name,
              audio: elsewhere.audio,
              video: elsewhere.video,
              screen: elsewhere.screen,
              connection: isFresh(elsewhere) ? 'connected' : 'reconnecting',
              peerId: elsewhere.peerId,
            }
          }
          return {
            userId: participant.userId,
            name: participant.user.fullName,
            audio: participant.audioEnabled,
            video: participant.videoEnabled,
            screen: participant.screenSharing,
            connection: 'away',
            peerId: null,
          }
        }),
        iceServers: this.#iceServers.for(user.id),
        iceTransportPolicy: this.#iceServers.transportPolicy,
      })
      return { room, member, socket, welcome, reconnected }
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

  /**
   * Relays an SDP description or ICE candidate to one other member of the call. Synchronous
   * when the other member's socket is here (the common case, once per frame); only a member
   * on another instance needs a look at the shared presence.
   */
  relaySignal(room: CallRoom, from: CallSocket, frame: ClientFrames['signal']): void | Promise<void> {
    if (frame.to === from.user.id) return from.error('unknown_peer', `User ${frame.to} is not in this call`)
    const relayed: ServerFrame = { type: 'signal', from: from.user.id, fromPeer: from.peerId, data: frame.data }
    const target = room.members.get(frame.to)
    if (target?.socket) return target.socket.send(relayed)
    return this.#relayElsewhere(room, from, frame.to, relayed, Boolean(target))
  }

  async #relayElsewhere(room: CallRoom, from: CallSocket, to: number, relayed: ServerFrame, inRoom: boolean) {
    const elsewhere = inRoom ? null : await this.bus.presenceOf(room.callId, to)
    if (elsewhere?.connected && elsewhere.instance !== this.bus.instanceId) {
      return this.#publish(room.callId, { kind: 'frame', to, payload: JSON.stringify(relayed) })
    }
    if (inRoom || elsewhere) return from.error('peer_not_connected', `User ${to} is reconnecting`)
    return from.error('unknown_peer', `User ${to} is not in this call`)
  }

  /** Shares a member's microphone/camera/screen state and keeps it in the database. */
  updateMedia(room: CallRoom, from: CallSocket, frame: ClientFrames['media']) {
    const member = room.members.get(from.user.id)
    if (!member) return
    member.media = { audio: frame.audio, video: frame.video, screen: frame.screen }
    this.#broadcast(room, { type: 'media', userId: member.userId, ...member.media }, member.userId)
    void this.#sharePresence(room, member)
    this.#mediaStates.record(member.participantId, member.media)
  }

  async leave(room: CallRoom, from: CallSocket) {
    const member = room.members.get(from.user.id)
    if (member) member.leaveReason = 'left'
    await this.#runTransition(from, () => new LeaveCall().handle(from.user, room.callId))
  }

  async end(room: CallRoom, from: CallSocket) {
    const call = await Call.find(room.callId)
    if (!call) return from.error('call_ended', 'This call no longer exists.')
    const decision = new CallPolicy().end(from.user, call)
    if (decision !== true) {
      const message = typeof decision === 'object' && 'message' in decision ? String(decision.message) : 'Not allowed'
      return from.error('not_initiator', message)
    }
    await this.#runTransition(from, () => new EndCall().handle(from.user, room.callId))
  }

  async #runTransition(from: CallSocket, transition: () => Promise<unknown>) {
    try {
      await transition()
    } catch (error) {
      if (error instanceof CallConflictException) return from.error('call_ended', error.message)
      throw error
    }
  }

  /** A socket closed. Unless it left on purpose or was replaced, its place waits for a reconnect. */
  disconnected(room: CallRoom, socket: CallSocket) {
    // A room the hub already let go of (call ended, server shutting down) arms no timers.
    if (this.#rooms.get(room.callId) !== room) return
    const member = room.members.get(socket.user.id)
    if (!member || member.socket !== socket) return
    member.socket = null
    void this.#sharePresence(room, member)
    if (member.leaveReason) return
    member.graceTimer = setTimeout(() => {
      member.graceTimer = null
      member.leaveReason = 'timeout'
      new LeaveCall()
        .handle(socket.user, room.callId)
        .catch((error) => {
          // The call ended meanwhile, or they left elsewhere: just forget the place.
          if (!(error instanceof CallConflictException)) logger.error({ err: error }, 'grace leave failed')
          this.#removeMember(room, member.userId, 'timeout')
        })
    }, callsConfig.reconnectGraceSeconds * 1000)
    member.graceTimer.unref()
  }

  /**
   * The safety net behind the grace timers: a person `joined` in the database with no socket
   * here for longer than the grace (they accepted and closed the tab before connecting, the
   * server restarted and their page never came back, a grace leave failed) has left. Without it
   * such a call would stay live forever. Absence counts from their (re)join, or from this
   * process's start, whichever is later, so a restart gives every page a full grace to return.
   * Runs from the call sweeper; returns the (call, user) pairs it removed.
   */
  async reapAbsent(now = Date.now()) {
    const graceMs = callsConfig.reconnectGraceSeconds * 1000
    const joined = await this.#joinedWithoutSocketHere()
    const reaped: Array<{ callId: number; userId: number }> = []
    for (const participant of joined) {
      const member = this.#rooms.get(participant.callId)?.members.get(participant.userId)
      if (member?.socket || member?.graceTimer) continue
      // Another instance vouches for their socket (or held it until recently).
      const elsewhere = member ? null : await this.bus.presenceOf(participant.callId, participant.userId)
      if (elsewhere && elsewhere.instance !== this.bus.instanceId && isFresh(elsewhere, now)) continue
      const since = Math.max(
        (participant.updatedAt ?? participant.joinedAt ?? participant.createdAt).toMillis(),
        this.#startedAt,
        elsewhere?.seenAt ?? 0
      )
      if (now - since < graceMs) continue
      if (member) member.leaveReason = 'timeout'
      // One person the sweep cannot remove (a broken row, a lost connection) must not keep
      // everyone after them in the call forever: log them, and carry on with the others.
      try {
        if (await this.#reap(participant, member, elsewhere)) {
          reaped.push({ callId: participant.callId, userId: participant.userId })
        }
      } catch (error) {
        logger.error({ err: error, callId: participant.callId, userId: participant.userId }, 'absent participant sweep failed for one person')
      }
    }
    return reaped
  }

  /** Removes one absent person from their call; false when they had left meanwhile. */
  async #reap(participant: CallParticipant, member: Member | undefined, elsewhere: PresenceEntry | null) {
    let left = true
    try {
      await participant.load('user')
      await new LeaveCall().handle(participant.user, participant.callId)
    } catch (error) {
      if (!(error instanceof CallConflictException)) throw error
      left = false
    }
    // Their socket was on an instance that is gone: nobody else will tell the others.
    if (!member && elsewhere) {
      await this.bus.removePresence(participant.callId, participant.userId)
      const frame: ServerFrame = { type: 'participant.left', userId: participant.userId, reason: 'timeout' }
      const room = this.#rooms.get(participant.callId)
      if (room) this.#broadcast(room, frame)
      else this.#publish(participant.callId, { kind: 'frame', payload: JSON.stringify(frame) })
    }
    return left
  }

  /**
   * The joined participants of live calls who have neither a socket nor a grace timer here: the
   * only ones the sweep has to look at. The sweep runs every few seconds and nearly everyone in
   * a call has a socket, so it reads bare (call, user) pairs first and builds models for the
   * rest only; building a model (and preloading the user) for every person in every call cost
   * seconds of CPU per sweep with a few thousand people in calls, stalling every socket.
   */
  async #joinedWithoutSocketHere() {
    const pairs = await CallParticipant.query()
      .where('status', 'joined')
      .whereHas('call', (query) => query.whereIn('status', Call.LIVE_STATUSES))
      .select('id', 'call_id', 'user_id')
      .pojo<{ id: number; call_id: number; user_id: number }>()
    const absentIds = pairs
      .filter((pair) => {
        const member = this.#rooms.get(Number(pair.call_id))?.members.get(Number(pair.user_id))
        return !member?.socket && !member?.graceTimer
      })
      .map((pair) => pair.id)
    const absent: CallParticipant[] = []
    // In slices: after a restart everyone is absent, more than a statement can bind at once.
    for (let start = 0; start < absentIds.length; start += 500) {
      absent.push(...(await CallParticipant.query().whereIn('id', absentIds.slice(start, start + 500)).orderBy('id')))
    }
    return absent
  }

  /**
   * Brings the sockets of a call in step with the database after a committed transition: a
   * call that ended tells everyone and closes every socket (4410); a member who is no longer
   * `joined` (left over HTTP or the socket, grace ran out) is removed and the others told.
   */
  async sync(callId: number, tellOthers = true) {
    // The other instances holding sockets of this call follow the same transition.
    if (tellOthers) this.#publish(callId, { kind: 'sync' })
    // Connects of this call in progress read the database again before they admit anyone.
    const pending = this.#pending.get(callId)
    if (pending) pending.syncs += 1
    const room = this.#rooms.get(callId)
    if (!room) return
    const call = await Call.find(callId)
    if (!call || !call.isLive) {
      // Each instance tells its own sockets (no relay: that would tell them twice).
      room.broadcast({ type: 'call.ended', endedBy: call?.endedById ?? null, reason: call?.endReason ?? null })
      for (const member of room.members.values()) {
        if (member.graceTimer) clearTimeout(member.graceTimer)
        member.socket?.close(CloseCode.CallEnded, 'This call has ended')
        void this.bus.removePresence(callId, member.userId).catch(() => {})
      }
      this.#closeRoom(room)
      return
    }
    const joined = new Set(
      (await CallParticipant.query().where({ callId, status: 'joined' }).select('user_id')).map((row) => row.userId)
    )
    const departed = [...room.members.values()].filter((member) => !joined.has(member.userId))
    if (departed.length === 0) return
    // Someone who left the call's channel (and so the call) is told why: their page cannot come back.
    const stillMembers = new Set(
      (
        await Membership.query()
          .where('channel_id', call.channelId)
          .whereIn('user_id', departed.map((member) => member.userId))
          .select('user_id')
      ).map((row) => row.userId)
    )
    for (const member of departed) {
      if (room.members.get(member.userId) !== member) continue
      const close = stillMembers.has(member.userId)
        ? undefined
        : { code: CloseCode.LeftChannel, reason: 'You left this channel, and its call' }
      this.#removeMember(room, member.userId, member.leaveReason ?? 'left', close)
    }
  }

  #removeMember(
    room: CallRoom,
    userId: number,
    reason: LeaveReason,
    close: { code: number; reason: string } = { code: CloseCode.Normal, reason: 'You left the call' }
  ) {
    const member = room.members.get(userId)
    if (!member) return
    if (member.graceTimer) clearTimeout(member.graceTimer)
    room.members.delete(userId)
    member.socket?.close(close.code, close.reason)
    this.#broadcast(room, { type: 'participant.left', userId, reason })
    void this.bus.removePresence(room.callId, userId).catch(() => {})
    if (room.members.size === 0) this.#closeRoom(room)
  }

  /** Sends a frame to the call's sockets here and, through the bus, on every other instance. */
  #broadcast(room: CallRoom, frame: ServerFrame, exceptUserId?: number) {
    room.broadcast(frame, exceptUserId)
    this.#publish(room.callId, { kind: 'frame', except: exceptUserId, payload: JSON.stringify(frame) })
  }

  #publish(callId: number, message: DistributiveOmit<BusMessage, 'origin'>) {
    if (!this.bus.shared) return
    this.bus
      .publish(callId, { ...message, origin: this.bus.instanceId } as BusMessage)
      .catch((error) => logger.error({ err: error, callId }, 'call bus publish failed'))
  }

  /** A message from another instance about a call this instance holds sockets of. */
  #receive(callId: number, message: BusMessage) {
    const room = this.#rooms.get(callId)
    if (!room) return
    if (message.kind === 'frame') {
      if (message.to !== undefined) return room.members.get(message.to)?.socket?.sendRaw(message.payload)
      for (const member of room.members.values()) {
        if (member.userId !== message.except) member.socket?.sendRaw(message.payload)
      }
    } else if (message.kind === 'replace') {
      // The person connected to this call on another instance: that socket wins.
      const member = room.members.get(message.userId)
      if (!member) return
      if (member.graceTimer) clearTimeout(member.graceTimer)
      room.members.delete(message.userId)
      member.socket?.replace()
      if (room.members.size === 0) this.#closeRoom(room)
    } else if (message.kind === 'sync') {
      this.sync(callId, false).catch((error) => logger.error({ err: error, callId }, 'call sync failed'))
    }
  }

  /** The call's room, opened (and subscribed to the bus) once however many sockets race here. */
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
    if (this.bus.shared) void this.bus.leave(room.callId).catch(() => {})
  }

  /** Tells the other instances where this member's socket is, and its media state. */
  async #sharePresence(room: CallRoom, member: Member) {
    if (!this.bus.shared) return
    await this.bus
      .setPresence(room.callId, member.userId, {
        instance: this.bus.instanceId,
        name: member.name,
        peerId: member.peerId,
        ...member.media,
        connected: Boolean(member.socket),
        seenAt: Date.now(),
      })
      .catch((error) => logger.error({ err: error, callId: room.callId }, 'call presence write failed'))
  }

  /**
   * Pings every socket once per ping interval; one that did not answer the previous ping is
   * dropped. The calls take turns in PING_SLICES groups (by call id, so each call keeps an
   * exact interval): pinging thousands of sockets in one go held up every call's frames for
   * tens of milliseconds.
   */
  #startPinging() {
    if (this.#pinger) return
    let tick = 0
    this.#pinger = setInterval(() => {
      const slice = tick++ % PING_SLICES
      for (const room of this.#rooms.values()) {
        if (room.callId % PING_SLICES !== slice) continue
        for (const member of room.members.values()) {
          member.socket?.heartbeat()
          if (member.socket) void this.#sharePresence(room, member)
        }
      }
      if (this.#rooms.size === 0 && this.#pinger) {
        clearInterval(this.#pinger)
        this.#pinger = null
      }
    }, callsConfig.pingIntervalMs / PING_SLICES)
    this.#pinger.unref()
  }

  /**
   * Drops a person's socket the way a network failure would (no close handshake): their place
   * waits for a reconnect. For operators, and for the browser tests of signaling repair.
   */
  terminate(callId: number, userId: number) {
    const socket = this.#rooms.get(callId)?.members.get(userId)?.socket
    socket?.terminate()
    return Boolean(socket)
  }

  iceServersFor(userId: number) {
    return this.#iceServers.for(userId)
  }

  get iceTtlSeconds() {
    return this.#iceServers.hasTurn ? this.#iceServers.ttlSeconds : null
  }

  /** Process exit: shut down, then close the connections to the other instances. */
  async close() {
    this.shutdown()
    await this.#mediaStates.flush()
    await this.bus.close()
  }

  /** Server shutdown: every page is told to reconnect (1001), every timer stops. */
  shutdown() {
    this.#startedAt = Date.now()
    if (this.#pinger) clearInterval(this.#pinger)
    this.#pinger = null
    // Media states still waiting for their write go out now, not after the server is gone.
    void this.#mediaStates.flush()
    for (const room of [...this.#rooms.values()]) {
      for (const member of room.members.values()) {
        if (member.graceTimer) clearTimeout(member.graceTimer)
        member.socket?.close(CloseCode.GoingAway, 'Server restarting, reconnect')
        // Another instance takes over: their grace starts now.
        if (this.bus.shared) void this.#sharePresence(room, { ...member, socket: null })
      }
      this.#closeRoom(room)
    }
  }
}

/** One person's socket in a call: frame parsing, validation, rate limit, and its timers. */
export class CallSocket {
  #alive = true
  #bucket = new FrameBucket(callsConfig.frameBurst, callsConfig.framesPerSecond)
  /** Frames received and not handled yet, oldest first. */
  #inbox: Array<{ data: RawData; isBinary: boolean }> = []
  #handling = false
  #iceRefresh: NodeJS.Timeout | null = null
  #closedByServer = false

  constructor(
    private ws: WebSocket,
    readonly user: User,
    private room: CallRoom,
    private hub: CallHub,
    readonly peerId: string | null
  ) {}

  listen() {
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary))
    this.ws.on('pong', () => (this.#alive = true))
    this.ws.on('close', () => {
      if (this.#iceRefresh) clearTimeout(this.#iceRefresh)
      this.hub.disconnected(this.room, this)
    })
    this.ws.on('error', (error) => logger.debug({ err: error }, 'call socket error'))
    this.#scheduleIceRefresh()
  }

  /** Frames are handled one at a time, in order, so a sender's frames are relayed in order. */
  receive(data: RawData, isBinary = false) {
    if (!this.#bucket.take()) {
      // A flooding client gets its frames unread from now on, like a refused one.
      this.#closedByServer = true
      if (this.#iceRefresh) clearTimeout(this.#iceRefresh)
      this.#inbox.length = 0
      refuseSocket(this.ws, CloseCode.Flood, 'Too many frames, slow down')
      return
    }
    this.#inbox.push({ data, isBinary })
    if (!this.#handling) void this.#handleInbox()
  }

  /** One loop per burst of frames rather than a promise chain link per frame. */
  async #handleInbox() {
    this.#handling = true
    for (let next = this.#inbox.shift(); next; next = this.#inbox.shift()) {
      try {
        await this.#handle(next.data, next.isBinary)
      } catch (error) {
        logger.error({ err: error, callId: this.room.callId }, 'call frame failed')
        this.error('internal', 'The server could not handle that frame')
      }
    }
    this.#handling = false
  }

  async #handle(data: RawData, isBinary: boolean) {
    // A socket replaced by a newer one (or removed) no longer speaks for its person.
    if (this.room.members.get(this.user.id)?.socket !== this) return
    if (isBinary) return this.error('invalid_frame', 'Frames must be JSON text')
    let frame: any
    try {
      frame = JSON.parse(data.toString())
    } catch {
      return this.error('bad_json', 'The frame is not valid JSON')
    }
    // Anything JSON can say reaches this point (null, numbers, arrays, `{"type":{"toString":1}}`):
    // nothing below may call a method of the frame before it is known to be a plain object.
    const type: unknown = isPlainObject(frame) ? frame.type : undefined
    if (type !== undefined && type !== null && typeof type !== 'string') {
      return this.error('invalid_frame', 'type: The type field must be a string')
    }
    if (!isFrameType(type)) {
      return this.error('unknown_type', `Unknown frame type: ${JSON.stringify(String(type)).slice(0, 40)}`)
    }
    let valid: any
    try {
      valid = await frameValidators[type].validate(frame)
    } catch (error: any) {
      const first = error?.messages?.[0]
      const detail = typeof first?.field === 'string' && typeof first?.message === 'string'
      return this.error('invalid_frame', detail ? `${first.field}: ${first.message}`.slice(0, 200) : 'Invalid frame')
    }
    switch (type) {
      case 'signal':
        return this.hub.relaySignal(this.room, this, valid)
      case 'media':
        return this.hub.updateMedia(this.room, this, valid)
      case 'leave':
        return this.hub.leave(this.room, this)
      case 'end':
        return this.hub.end(this.room, this)
    }
  }

  send(frame: ServerFrame) {
    this.sendRaw(JSON.stringify(frame))
  }

  /**
   * Queues a frame for the page. A page that does not read (a stalled tab, a network that holds
   * packets) would make the server keep every frame the others send it: past
   * `maxBufferedBytes` it is closed with 4503 instead, and reconnects when it can.
   */
  sendRaw(payload: string) {
    if (this.ws.readyState !== this.ws.OPEN) return
    if (this.ws.bufferedAmount + Buffer.byteLength(payload) > callsConfig.maxBufferedBytes) {
      logger.warn({ callId: this.room.callId, userId: this.user.id, buffered: this.ws.bufferedAmount }, 'call socket too slow, closed')
      this.close(CloseCode.TooSlow, 'Too slow to keep up, reconnect')
      // Its close frame waits behind what is queued: a page that never reads is dropped.
      const timer = setTimeout(() => this.ws.terminate(), callsConfig.slowCloseMs)
      timer.unref()
      this.ws.once('close', () => clearTimeout(timer))
      return
    }
    this.ws.send(payload)
  }

  error(code: SignalingErrorCode, message: string) {
    this.send({ type: 'error', code, message })
  }

  /** Called by the hub's pinger: a socket that missed the last ping is dead. */
  heartbeat() {
    if (!this.#alive) {
      this.ws.terminate()
      return
    }
    this.#alive = false
    this.ws.ping()
  }

  /** A newer connection of the same person took over. */
  replace() {
    this.error('replaced', 'You joined this call from another tab or device')
    this.close(CloseCode.Replaced, 'Replaced by a newer connection')
  }

  terminate() {
    this.ws.terminate()
  }

  close(code: number, reason: string) {
    this.#closedByServer = true
    if (this.#iceRefresh) clearTimeout(this.#iceRefresh)
    this.ws.close(code, reason)
  }

  get closedByServer() {
    return this.#closedByServer
  }

  /** TURN credentials expire: hand out fresh ones at 80% of their lifetime. */
  #scheduleIceRefresh() {
    const ttl = this.hub.iceTtlSeconds
    if (!ttl) return
    this.#iceRefresh = setTimeout(() => {
      this.send({ type: 'ice.servers', iceServers: this.hub.iceServersFor(this.user.id) })
      this.#scheduleIceRefresh()
    }, ttl * 800)
    this.#iceRefresh.unref()
  }
}

/**
 * Closes a socket the hub will not take (refused, failed, flooding before its welcome). It stops
 * reading at once: a client that ignores the close and keeps sending would otherwise have its
 * frames read (and held, or parsed and discarded) until ws's 30 s close timeout. A paused socket
 * cannot read the client's answering close frame either, so the connection is dropped after
 * `refusedCloseMs`; the client has the close frame (and our FIN) by then.
 */
export function refuseSocket(ws: WebSocket, code: number, reason: string) {
  ws.removeAllListeners('message')
  ws.pause()
  if (ws.readyState === ws.CLOSED) return
  ws.close(code, reason)
  // Our side is done once the close frame is out: the FIN lets a well-behaved client (a browser)
  // finish at once instead of waiting for the drop below. ws has no public half-close.
  ;(ws as unknown as { _socket?: { end(): void } })._socket?.end()
  const timer = setTimeout(() => ws.terminate(), callsConfig.refusedCloseMs)
  timer.unref()
  ws.once('close', () => clearTimeout(timer))
}

function byteLength(data: RawData) {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.length, 0)
  return data.byteLength
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A socket on another instance counts as connected while that instance keeps vouching for it. */
function isFresh(entry: PresenceEntry, now = Date.now()) {
  return entry.connected && now - entry.seenAt < callsConfig.pingIntervalMs * 2.5
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

const callHub = new CallHub(redisConnection ? new RedisBus(redisConnection) : new LocalBus())
export default callHub
