import logger from '@adonisjs/core/services/logger'
import callsConfig from '#config/calls'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import type User from '#models/user'
import LeaveCall from '#actions/calls/leave_call'
import { CallConflictException } from '#exceptions/call_conflict_exception'
import type { CallBus, PresenceEntry } from '#signaling/call_bus'
import { publish, type CallRoom, type Member } from '#signaling/call_room'
import type { ServerFrame } from '#signaling/protocol'

/** The pinger visits a tenth of the calls at a time (see startPinging). */
const PING_SLICES = 10

/** A socket on another instance counts as connected while that instance keeps vouching for it. */
export function isFresh(entry: PresenceEntry, now = Date.now()) {
  return entry.connected && now - entry.seenAt < callsConfig.pingIntervalMs * 2.5
}

/**
 * Who is really there: pings every socket, gives a dropped socket's place a reconnect grace,
 * sweeps people `joined` on paper with no socket anywhere, and shares where each member's socket
 * is (and their media state and hand) with the other instances.
 */
export class Presence {
  #startedAt = Date.now()
  #pinger: NodeJS.Timeout | null = null

  /** `forget` removes a member from their room when their leave could not (see startGrace). */
  constructor(
    private rooms: ReadonlyMap<number, CallRoom>,
    private bus: CallBus,
    private forget: (room: CallRoom, userId: number) => void
  ) {}

  /** Tells the other instances where this member's socket is, and its media state. */
  async share(room: CallRoom, member: Member) {
    if (!this.bus.shared) return
    await this.bus
      .setPresence(room.callId, member.userId, {
        instance: this.bus.instanceId,
        name: member.name,
        peerId: member.peerId,
        ...member.media,
        handRaisedAt: member.handRaisedAt,
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
  startPinging() {
    if (this.#pinger) return
    let tick = 0
    this.#pinger = setInterval(() => {
      const slice = tick++ % PING_SLICES
      for (const room of this.rooms.values()) {
        if (room.callId % PING_SLICES !== slice) continue
        for (const member of room.members.values()) {
          member.socket?.heartbeat()
          if (member.socket) void this.share(room, member)
        }
      }
      if (this.rooms.size === 0) this.stopPinging()
    }, callsConfig.pingIntervalMs / PING_SLICES)
    this.#pinger.unref()
  }

  /** Server shutdown: no pings, and absence counts from the restart (see reapAbsent). */
  restart() {
    this.#startedAt = Date.now()
    this.stopPinging()
  }

  /** Stops the pinger (no rooms left, or shutdown). */
  stopPinging() {
    if (this.#pinger) clearInterval(this.#pinger)
    this.#pinger = null
  }

  /** A member's socket closed: their place waits for a reconnect, then they leave (`timeout`). */
  startGrace(room: CallRoom, member: Member, user: User) {
    member.graceTimer = setTimeout(() => {
      member.graceTimer = null
      new LeaveCall().handle(user, room.callId, 'timeout').catch((error) => {
        // The call ended meanwhile, or they left elsewhere: just forget the place.
        if (!(error instanceof CallConflictException)) logger.error({ err: error }, 'grace leave failed')
        this.forget(room, member.userId)
      })
    }, callsConfig.reconnectGraceSeconds * 1000)
    member.graceTimer.unref()
  }

  /** A member is back (or gone for good): their grace stops. */
  stopGrace(member: Member) {
    if (member.graceTimer) clearTimeout(member.graceTimer)
    member.graceTimer = null
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
      const member = this.rooms.get(participant.callId)?.members.get(participant.userId)
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
      await new LeaveCall().handle(participant.user, participant.callId, 'timeout')
    } catch (error) {
      if (!(error instanceof CallConflictException)) throw error
      left = false
    }
    // Their socket was on an instance that is gone: nobody else will tell the others.
    if (!member && elsewhere) {
      await this.bus.removePresence(participant.callId, participant.userId)
      const frame: ServerFrame = { type: 'participant.left', userId: participant.userId, reason: 'timeout' }
      const room = this.rooms.get(participant.callId)
      if (room) room.broadcast(frame)
      else publish(this.bus, participant.callId, { kind: 'frame', payload: JSON.stringify(frame) })
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
        const member = this.rooms.get(Number(pair.call_id))?.members.get(Number(pair.user_id))
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
}
