import { Bouncer } from '@adonisjs/bouncer'
import * as abilities from '#abilities/main'
import { policies } from '#generated/policies'
import type Call from '#models/call'
import CallPolicy from '#policies/call_policy'
import type { CallBus } from '#signaling/call_bus'
import { publish, type CallRoom, type Member } from '#signaling/call_room'
import type { CallSocket } from '#signaling/call_socket'
import type { Presence } from '#signaling/presence'
import type { ClientFrames } from '#signaling/protocol'

/** Whether the person of `socket` may do `ability` to the call, by CallPolicy (as the HTTP routes decide). */
export function authorize(socket: CallSocket, ability: 'end' | 'lowerHand', call: Call) {
  return new Bouncer(socket.user, abilities, policies).with(CallPolicy).execute(ability, call)
}

/**
 * Raised hands and reactions. A hand is room state like presence: kept on the member (and in the
 * shared presence, for welcomes on other instances), never in the database, gone when they
 * leave. Reactions are only relayed (CallRoom.react).
 */
export class CallHands {
  constructor(
    private bus: CallBus,
    private presence: Presence
  ) {}

  /**
   * Someone else's hand, from a `hand` frame with their `userId`: only lowered, and only by the
   * initiator (CallPolicy.lowerHand, on the call loaded through the sender).
   */
  async others(room: CallRoom, member: Member, socket: CallSocket, frame: ClientFrames['hand'], call: Call) {
    const ownerId = frame.userId!
    if (frame.raised) return socket.error('not_allowed', 'Only its owner can raise a hand')
    const decision = await authorize(socket, 'lowerHand', call)
    if (!decision.authorized) return socket.error('not_initiator', decision.message ?? 'Not allowed')
    const owner = room.members.get(ownerId)
    if (owner) return this.set(room, owner, false, member.userId)
    // Their socket is on another instance: that one holds their hand and tells everyone.
    const elsewhere = await this.bus.presenceOf(room.callId, ownerId)
    if (!elsewhere) return socket.error('unknown_peer', `User ${ownerId} is not in this call`)
    publish(this.bus, room.callId, { kind: 'hand', userId: ownerId, by: member.userId })
  }

  /** Another instance's initiator lowered the hand of a member held here (bus `hand`). */
  lowered(room: CallRoom, userId: number, by: number) {
    const owner = room.members.get(userId)
    if (owner) this.set(room, owner, false, by)
  }

  set(room: CallRoom, member: Member, raised: boolean, by: number) {
    if (room.setHand(member, raised, by)) void this.presence.share(room, member)
  }
}
