import { test } from '@japa/runner'
import { LiveChannels } from '../../resources/js/live_channels.js'
import { flush } from '#tests/helpers/fake_webrtc'

/** Transmit's surface as the client has it: one Subscription per channel until it is deleted. */
class FakeTransmit {
  log: string[] = []
  subscriptions = new Map<string, FakeSubscription>()
  subscription(channel: string) {
    let subscription = this.subscriptions.get(channel)
    if (!subscription) this.subscriptions.set(channel, (subscription = new FakeSubscription(channel, this)))
    return subscription as any
  }
}

class FakeSubscription {
  handlers = new Set<(message: unknown) => void>()
  constructor(private channel: string, private transmit: FakeTransmit) {}
  onMessage(handler: (message: unknown) => void) {
    this.handlers.add(handler)
  }
  async create() {
    this.transmit.log.push(`subscribe ${this.channel}`)
  }
  async delete() {
    await flush()
    this.transmit.log.push(`unsubscribe ${this.channel}`)
    this.transmit.subscriptions.delete(this.channel)
  }
  send(message: unknown) {
    this.handlers.forEach((handler) => handler(message))
  }
}

test.group('LiveChannels: SSE subscriptions shared by the components htmx swaps', () => {
  test('two listeners on one channel share one subscription; the first stopping keeps it for the other', async ({ assert }) => {
    const transmit = new FakeTransmit()
    const live = new LiveChannels(transmit, (run) => run())
    const room: unknown[] = []
    const page: unknown[] = []
    const first = live.listen('channels/1', (message) => room.push(message))
    const second = live.listen('channels/1', (message) => page.push(message))
    await Promise.all([first.ready, second.ready])
    first.stop()
    transmit.subscriptions.get('channels/1')!.send('hello')
    assert.deepEqual(room, [])
    assert.deepEqual(page, ['hello'])
    assert.deepEqual(transmit.log, ['subscribe channels/1'])
  })

  test('a swap that stops one page and starts the next on the same channel keeps the subscription', async ({ assert }) => {
    const transmit = new FakeTransmit()
    const later: Array<() => void> = []
    const live = new LiveChannels(transmit, (run) => later.push(run))
    const old = live.listen('channels/1', () => {})
    await old.ready
    old.stop()
    const fresh = live.listen('channels/1', () => {})
    later.forEach((run) => run())
    await fresh.ready
    await flush()
    assert.deepEqual(transmit.log, ['subscribe channels/1'])
  })

  test('the last listener stopping unsubscribes; asking again meanwhile subscribes afresh after it', async ({ assert }) => {
    const transmit = new FakeTransmit()
    const live = new LiveChannels(transmit, (run) => run())
    const messages: unknown[] = []
    const first = live.listen('channels/1', () => {})
    await first.ready
    first.stop()
    const again = live.listen('channels/1', (message) => messages.push(message))
    await again.ready
    transmit.subscriptions.get('channels/1')!.send('after')
    assert.deepEqual(transmit.log, ['subscribe channels/1', 'unsubscribe channels/1', 'subscribe channels/1'])
    assert.deepEqual(messages, ['after'])
  })
})
