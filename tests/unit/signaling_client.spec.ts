import { test } from '@japa/runner'
import { SignalingClient } from '../../resources/js/calls/signaling_client.js'
import { CloseCode } from '#signaling/protocol'
import { FakeSocket } from '#tests/helpers/fake_webrtc'

function client() {
  FakeSocket.opened = []
  const signaling = new SignalingClient({
    url: 'ws://confab.test/calls/1/signal',
    createSocket: (url) => new FakeSocket(url),
    backoff: { initialMs: 10, maxMs: 40 },
    random: () => 1,
  })
  const states: string[] = []
  signaling.on('state', (state) => states.push(state))
  return { signaling, states }
}

test.group('SignalingClient', () => {
  test('emits each server frame by its type and sends typed frames while open', ({ assert }) => {
    const { signaling, states } = client()
    const seen: unknown[] = []
    signaling.on('media', (frame) => seen.push(frame))
    signaling.connect()

    assert.isFalse(signaling.send({ type: 'leave' }), 'nothing is sent before the socket opens')
    const socket = FakeSocket.opened[0]!
    socket.open()
    socket.receive({ type: 'media', userId: 2, audio: false, video: true, screen: false })
    socket.receive('not json at all')
    assert.isTrue(signaling.send({ type: 'media', audio: true, video: false, screen: false }))

    assert.deepEqual(seen, [{ type: 'media', userId: 2, audio: false, video: true, screen: false }])
    assert.deepEqual(socket.sent, [{ type: 'media', audio: true, video: false, screen: false }])
    assert.deepEqual(states, ['connecting', 'open'])
  })

  test('reconnects with growing delays after a drop, and resets them once connected', async ({ assert }) => {
    const { signaling, states } = client()
    signaling.connect()
    FakeSocket.opened[0]!.open()

    FakeSocket.opened[0]!.drop(1006)
    assert.equal(signaling.state, 'reconnecting')
    await new Promise((resolve) => setTimeout(resolve, 15))
    assert.lengthOf(FakeSocket.opened, 2)
    FakeSocket.opened[1]!.drop(1006)
    await new Promise((resolve) => setTimeout(resolve, 12))
    assert.lengthOf(FakeSocket.opened, 2, 'the second retry waits longer than the first')
    await new Promise((resolve) => setTimeout(resolve, 15))
    assert.lengthOf(FakeSocket.opened, 3)
    FakeSocket.opened[2]!.open()

    assert.deepEqual(states, ['connecting', 'open', 'reconnecting', 'open'])
    signaling.close()
  })

  test('stops for good on the close codes that mean no, and says why', async ({ assert }) => {
    for (const code of [CloseCode.CallEnded, CloseCode.NotParticipant, CloseCode.Replaced, CloseCode.CallFull, CloseCode.LeftChannel, CloseCode.SessionRevoked]) {
      const { signaling } = client()
      const closed: unknown[] = []
      signaling.on('closed', (event) => closed.push(event))
      signaling.connect()
      FakeSocket.opened[0]!.open()
      FakeSocket.opened[0]!.drop(code, 'because')
      await new Promise((resolve) => setTimeout(resolve, 30))
      assert.lengthOf(FakeSocket.opened, 1, `no reconnect after ${code}`)
      assert.deepEqual(closed, [{ code, reason: 'because' }])
      assert.equal(signaling.state, 'closed')
    }
  })

  test('reconnects after the close codes that mean try again (too slow, flood, restart, server error)', async ({ assert }) => {
    for (const code of [CloseCode.TooSlow, CloseCode.Flood, CloseCode.GoingAway, CloseCode.ServerError, CloseCode.TryAgainLater]) {
      const { signaling } = client()
      const closed: unknown[] = []
      signaling.on('closed', (event) => closed.push(event))
      signaling.connect()
      FakeSocket.opened[0]!.open()
      FakeSocket.opened[0]!.drop(code, 'try again')
      assert.equal(signaling.state, 'reconnecting', `reconnecting after ${code}`)
      await new Promise((resolve) => setTimeout(resolve, 15))
      assert.lengthOf(FakeSocket.opened, 2, `a new socket after ${code}`)
      assert.isEmpty(closed)
      signaling.close()
    }
  })

  test('leave says goodbye, closes, and never reconnects; close is idempotent', async ({ assert }) => {
    const { signaling } = client()
    signaling.connect()
    const socket = FakeSocket.opened[0]!
    socket.open()
    signaling.leave()
    signaling.close()
    assert.deepEqual(socket.sent, [{ type: 'leave' }])
    assert.deepEqual(socket.closedWith, { code: 1000, reason: 'bye' })
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.lengthOf(FakeSocket.opened, 1)
  })
})
