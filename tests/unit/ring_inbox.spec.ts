import { test } from '@japa/runner'
import { RingInbox, type Ring } from '../../resources/js/calls/ring_inbox.js'

const ring = (callId: number, caller = 'Alice'): Ring & { type: 'call.ringing' } => ({
  type: 'call.ringing',
  callId,
  kind: 'video',
  channel: { id: 1, name: 'general', kind: 'public' },
  caller: { id: 1, name: caller },
  ringExpiresAt: null,
  busy: false,
})

test.group('RingInbox', () => {
  test('shows the oldest live ring and moves on when it stops', ({ assert }) => {
    const inbox = new RingInbox()
    const shown: Array<number | null> = []
    inbox.onChange((current) => shown.push(current?.callId ?? null))

    inbox.apply(ring(1))
    inbox.apply(ring(2))
    inbox.apply(ring(1)) // a duplicate (reconnect) changes nothing
    inbox.apply({ type: 'call.ring_stopped', callId: 1, reason: 'accepted_elsewhere' })
    inbox.apply({ type: 'call.ended', callId: 2, reason: 'cancelled' })

    assert.deepEqual(shown, [1, 2, null])
    assert.isNull(inbox.current)
  })

  test('a ring that arrives after its stop stays closed, from the stream or a stale list', ({ assert }) => {
    const inbox = new RingInbox()
    const shown: Array<number | null> = []
    inbox.onChange((current) => shown.push(current?.callId ?? null))

    inbox.apply({ type: 'call.ring_stopped', callId: 4, reason: 'ended' })
    inbox.apply(ring(4))
    inbox.reconcile([ring(4)])
    inbox.apply(ring(5))

    assert.deepEqual(shown, [5])
  })

  test('a missed call removes the ring and reports the unseen count', ({ assert }) => {
    const inbox = new RingInbox()
    const counts: number[] = []
    inbox.onMissedCount((count) => counts.push(count))
    inbox.apply(ring(7))

    inbox.apply({ type: 'call.missed', callId: 7, unseenCount: 3 })

    assert.isNull(inbox.current)
    assert.deepEqual(counts, [3])
  })

  test("reconciling with the server's list drops stale rings and adds the ones it missed", ({ assert }) => {
    const inbox = new RingInbox()
    const shown: Array<number | null> = []
    inbox.onChange((current) => shown.push(current?.callId ?? null))
    inbox.apply(ring(1))

    inbox.reconcile([ring(5)], 0)
    inbox.reconcile([ring(5)])
    inbox.reconcile([])

    assert.deepEqual(shown, [1, 5, null])
  })

  test('a list fetched before the latest event is ignored; expired rings are dropped', ({ assert }) => {
    const now = Date.parse('2026-11-21T12:00:00Z')
    const inbox = new RingInbox(() => now)
    inbox.apply(ring(1))
    const requestedAt = inbox.sequence
    inbox.apply({ type: 'call.ring_stopped', callId: 1, reason: 'declined' })

    assert.isFalse(inbox.reconcile([ring(1)], 0, requestedAt), 'the stopped ring does not come back')
    assert.isNull(inbox.current)

    const expired = { ...ring(2), ringExpiresAt: '2026-11-21T11:59:59Z' }
    const live = { ...ring(3), ringExpiresAt: '2026-11-21T12:00:20Z' }
    assert.isTrue(inbox.reconcile([expired, live], 0, inbox.sequence))
    assert.equal(inbox.current?.callId, 3)
  })
})
