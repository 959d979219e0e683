import logger from '@adonisjs/core/services/logger'
import type { CallBus, BusMessage } from '#signaling/call_bus'
import type { CallSocket } from '#signaling/call_socket'
import { type ClientFrames, type MediaState, type ParticipantInfo, type Reaction, type ServerFrame } from '#signaling/protocol'
import { recordRelayed } from '#metrics/signaling_metrics'

/** A person with a place in a call's room: connected, or within the reconnect grace. */
export type Member = {
  userId: number
  /** Their call_participants row, where their media state is kept. */
  participantId: number
  name: string
  media: MediaState
  peerId: string | null
  socket: CallSocket | null
  graceTimer: NodeJS.Timeout | null
  /** When their hand went up (ms), or null. Room state like presence: never in the database, gone when they leave. */
  handRaisedAt: number | null
}

/** How a person appears in the room, wherever what we know of them comes from (here, the bus, the database). */
export function participantInfo(
  person: { userId: number; name: string; peerId: string | null; handRaisedAt?: number | null } & MediaState,
  connection: ParticipantInfo['connection']
): ParticipantInfo {
  return {
    userId: person.userId,
    name: person.name,
    audio: person.audio,
    video: person.video,
    screen: person.screen,
    connection,
    peerId: person.peerId,
    handRaisedAt: person.handRaisedAt ? new Date(person.handRaisedAt).toISOString() : null,
  }
}

/** A bus message, as it is published (the bus stamps nothing: the origin is added here). */
export type OutgoingBusMessage = BusMessage extends infer M ? (M extends unknown ? Omit<M, 'origin'> : never) : never

/** Publishes a message to the other instances holding sockets of the call (none without Redis). */
export function publish(bus: CallBus, callId: number, message: OutgoingBusMessage) {
  if (!bus.shared) return
  bus
    .publish(callId, { ...message, origin: bus.instanceId } as BusMessage)
    .catch((error) => logger.error({ err: error, callId }, 'call bus publish failed'))
}

/**
 * The sockets of one call, and the relay between them: here, and through the bus on the other
 * instances. Lives while at least one member is connected or in grace.
 */
export class CallRoom {
  members = new Map<number, Member>()
  /** Resolves once this instance receives the call's bus messages. */
  subscribed: Promise<void> = Promise.resolve()

  constructor(
    readonly callId: number,
    private bus: CallBus
  ) {}

  /** How a member appears to the others. */
  info(member: Member): ParticipantInfo {
    return participantInfo({ ...member, ...member.media }, member.socket ? 'connected' : 'reconnecting')
  }

  /** The member this socket speaks for, if it still does. */
  memberOf(socket: CallSocket) {
    const member = this.members.get(socket.user.id)
    return member?.socket === socket ? member : undefined
  }

  /** Sends a frame to the call's sockets on this instance only. */
  broadcastHere(frame: ServerFrame, exceptUserId?: number) {
    this.deliver(JSON.stringify(frame), exceptUserId)
  }

  /** Sends a frame to the call's sockets here and, through the bus, on every other instance. */
  broadcast(frame: ServerFrame, exceptUserId?: number) {
    const payload = JSON.stringify(frame)
    this.deliver(payload, exceptUserId)
    publish(this.bus, this.callId, { kind: 'frame', except: exceptUserId, payload })
  }

  /** Hands a serialized frame to one member's socket here, or to all but one. */
  deliver(payload: string, exceptUserId?: number, to?: number) {
    if (to !== undefined) return this.members.get(to)?.socket?.sendRaw(payload)
    for (const member of this.members.values()) {
      if (member.userId !== exceptUserId) member.socket?.sendRaw(payload)
    }
  }

  /**
   * Relays an SDP description or ICE candidate to one other member of the call. Synchronous
   * when the other member's socket is here (the common case, once per frame); only a member
   * on another instance needs a look at the shared presence.
   */
  relaySignal(from: CallSocket, frame: ClientFrames['signal']): void | Promise<void> {
    if (frame.to === from.user.id) return from.error('unknown_peer', `User ${frame.to} is not in this call`)
    const relayed: ServerFrame = { type: 'signal', from: from.user.id, fromPeer: from.peerId, data: frame.data }
    const target = this.members.get(frame.to)
    if (target?.socket) {
      recordRelayed('signal')
      return target.socket.send(relayed)
    }
    return this.#relayElsewhere(from, frame.to, relayed, Boolean(target))
  }

  async #relayElsewhere(from: CallSocket, to: number, relayed: ServerFrame, inRoom: boolean) {
    const elsewhere = inRoom ? null : await this.bus.presenceOf(this.callId, to)
    if (elsewhere?.connected && elsewhere.instance !== this.bus.instanceId) {
      recordRelayed('signal')
      return publish(this.bus, this.callId, { kind: 'frame', to, payload: JSON.stringify(relayed) })
    }
    if (inRoom || elsewhere) return from.error('peer_not_connected', `User ${to} is reconnecting`)
    return from.error('unknown_peer', `User ${to} is not in this call`)
  }

  /** A member's new microphone/camera/screen state, told to the others. */
  updateMedia(member: Member, frame: ClientFrames['media']) {
    member.media = { audio: frame.audio, video: frame.video, screen: frame.screen }
    recordRelayed('media')
    this.broadcast({ type: 'media', userId: member.userId, ...member.media }, member.userId)
  }

  /**
   * A member's hand goes up or down (`by`: the owner, or the initiator lowering it), told to
   * everyone, the owner too; false when nothing changed (raising a raised hand keeps its place in
   * the queue).
   */
  setHand(member: Member, raised: boolean, by: number) {
    if (raised === Boolean(member.handRaisedAt)) return false
    member.handRaisedAt = raised ? Date.now() : null
    recordRelayed('hand')
    const raisedAt = member.handRaisedAt ? new Date(member.handRaisedAt).toISOString() : null
    this.broadcast({ type: 'hand', userId: member.userId, raised, raisedAt, by })
    return true
  }

  /** Drops a member's socket as a network failure would; false when they have none here. */
  terminate(userId: number) {
    const socket = this.members.get(userId)?.socket
    socket?.terminate()
    return Boolean(socket)
  }

  /** A reaction of the member this socket speaks for (none: dropped). */
  reactFrom(socket: CallSocket, emoji: Reaction) {
    const member = this.memberOf(socket)
    if (member) this.react(member, emoji)
  }

  /** A reaction, relayed to everyone (the sender too, whose page shows it as well) and kept nowhere. */
  react(member: Member, emoji: Reaction) {
    recordRelayed('reaction')
    this.broadcast({ type: 'reaction', userId: member.userId, emoji })
  }
}
