import { test } from '@japa/runner'
import { Hands, handsFirst, type HandsState } from '../../resources/js/calls/hands.js'
import { Emitter } from '../../resources/js/calls/emitter.js'
import type { ClientFrame, ServerFrames } from '#signaling/protocol'

/** The call socket as Hands sees it: frames from the server, frames sent. */
class FakeSignaling extends Emitter<ServerFrames> {
  sent: ClientFrame[] = []
  open = true
  send(frame: ClientFrame) {
    if (this.open) this.sent.push(frame)
    return this.open
  }
  receive<T extends keyof ServerFrames>(type: T, frame: Omit<ServerFrames[T], 'type'>) {
    this.emit(type, { type, ...frame } as ServerFrames[T])
  }
}

const person = (userId: number, handRaisedAt: string | null = null) => ({
  userId, name: `P${userId}`, audio: true, video: true, screen: false, connection: 'connected' as const, peerId: null, handRaisedAt,
})

function welcomed(people = [person(1), person(2, '2026-12-01T10:00:05.000Z'), person(3, '2026-12-01T10:00:01.000Z')]) {
  const signaling = new FakeSignaling()
  const timers: Array<() => void> = []
  const hands = new Hands({ signaling, floatMs: 4000, setTimer: (run) => timers.push(run) })
  const states: HandsState[] = []
  hands.on('change', (state) => states.push(state))
  signaling.receive('welcome', {
    self: { userId: 1, name: 'P1' },
    call: { id: 9, kind: 'video', status: 'active', initiatorId: 1, answeredAt: null, maxParticipants: 8 },
    participants: people, iceServers: [], iceTransportPolicy: 'all', topology: 'mesh',
  })
  return { signaling, hands, states, timers }
}

test.group('Hands', () => {
  test('the welcome brings the hands already up, oldest first', ({ assert }) => {
    const { hands } = welcomed()
    assert.deepEqual(hands.state.raised.map((hand) => hand.userId), [3, 2])
    assert.isTrue(hands.isRaised(2))
    assert.isFalse(hands.isRaised(1))
  })

  test('my hand goes up when the server says so, not before; and down again', ({ assert }) => {
    const { signaling, hands } = welcomed()
    assert.isTrue(hands.toggleMine())
    assert.deepEqual(signaling.sent, [{ type: 'hand', raised: true }])
    assert.isFalse(hands.isRaised(1), 'nothing changes until the server relays it')
    signaling.receive('hand', { userId: 1, raised: true, raisedAt: '2026-12-01T10:00:09.000Z', by: 1 })
    assert.deepEqual(hands.state.raised.map((hand) => hand.userId), [3, 2, 1])
    hands.toggleMine()
    assert.deepEqual(signaling.sent[1], { type: 'hand', raised: false })
  })

  test('lowering someone else names them; a hand lowered or a person gone leaves the list', ({ assert }) => {
    const { signaling, hands } = welcomed()
    hands.lower(3)
    assert.deepEqual(signaling.sent, [{ type: 'hand', raised: false, userId: 3 }])
    signaling.receive('hand', { userId: 3, raised: false, raisedAt: null, by: 1 })
    signaling.receive('participant.left', { userId: 2, reason: 'left' })
    assert.deepEqual(hands.state.raised, [])
  })

  test('a reaction floats for its time, then goes', ({ assert }) => {
    const { signaling, hands, timers } = welcomed()
    signaling.receive('reaction', { userId: 2, emoji: '👏' })
    signaling.receive('reaction', { userId: 2, emoji: '🎉' })
    assert.deepEqual(hands.state.reactions.map((reaction) => reaction.emoji), ['👏', '🎉'])
    timers[0]!()
    assert.deepEqual(hands.state.reactions.map((reaction) => reaction.emoji), ['🎉'])
    timers[1]!()
    assert.deepEqual(hands.state.reactions, [])
  })

  test('nothing is sent on a closed socket, and no hand before the welcome', ({ assert }) => {
    const signaling = new FakeSignaling()
    const hands = new Hands({ signaling })
    assert.isFalse(hands.toggleMine())
    signaling.open = false
    assert.isFalse(hands.react('👍'))
    assert.deepEqual(signaling.sent, [])
  })

  test('handsFirst puts raised hands first in their order and keeps the rest', ({ assert }) => {
    const raised = [{ userId: 5, raisedAt: 'a' }, { userId: 2, raisedAt: 'b' }, { userId: 9, raisedAt: 'c' }]
    assert.deepEqual(handsFirst([1, 2, 3, 4, 5], raised), [5, 2, 1, 3, 4])
  })
})
