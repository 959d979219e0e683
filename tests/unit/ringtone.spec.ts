import { test } from '@japa/runner'
import { Ringtone } from '../../resources/js/calls/ringtone.js'
import { SingleTabRingtone } from '../../resources/js/calls/single_tab_ringtone.js'

/** Records what a Ringtone asks of the Web Audio API. */
class FakeAudioContext {
  currentTime = 0
  destination = {}
  oscillators: Array<{ frequency: number; startedAt: number; stoppedAt: number }> = []
  closed = false
  resumed = false

  createGain() {
    const automation = () => undefined
    return { gain: { setValueAtTime: automation, linearRampToValueAtTime: automation }, connect() {} }
  }

  createOscillator() {
    const record = { frequency: 0, startedAt: -1, stoppedAt: -1 }
    this.oscillators.push(record)
    return {
      frequency: {
        set value(hz: number) {
          record.frequency = hz
        },
      },
      connect() {},
      start(at: number) {
        record.startedAt = at
      },
      stop(at: number) {
        record.stoppedAt = at
      },
    }
  }

  async resume() {
    this.resumed = true
  }

  async close() {
    this.closed = true
  }
}

/** A Web Locks stand-in shared by several "tabs": one holder per lock name at a time. */
class FakeLocks {
  held = new Set<string>()
  async request(name: string, _options: unknown, callback: (lock: unknown) => Promise<void> | void) {
    if (this.held.has(name)) return callback(null)
    this.held.add(name)
    try {
      return await callback({ name })
    } finally {
      this.held.delete(name)
    }
  }
}

test.group('Ringtone', () => {
  test('plays the two-tone ring (440 + 480 Hz bursts) and stops cleanly, twice over', ({ assert }) => {
    const context = new FakeAudioContext()
    const ringtone = new Ringtone(() => context as unknown as AudioContext)

    ringtone.start()
    ringtone.start()
    assert.isTrue(ringtone.playing)
    assert.isTrue(context.resumed)
    assert.deepEqual(
      context.oscillators.map((oscillator) => oscillator.frequency),
      [440, 480, 440, 480]
    )
    assert.isTrue(context.oscillators.every((oscillator) => oscillator.stoppedAt > oscillator.startedAt))

    ringtone.stop()
    ringtone.stop()
    assert.isFalse(ringtone.playing)
    assert.isTrue(context.closed)
  })
})

test.group('SingleTabRingtone', () => {
  test('only one of several tabs plays; stopping it frees the next ring for any tab', async ({ assert }) => {
    const locks = new FakeLocks()
    const played: string[] = []
    const tone = (tab: string) => ({ start: () => played.push(`${tab}:start`), stop: () => played.push(`${tab}:stop`) })
    const first = new SingleTabRingtone(tone('first'), locks as unknown as LockManager)
    const second = new SingleTabRingtone(tone('second'), locks as unknown as LockManager)

    await first.start()
    await second.start()
    assert.deepEqual(played, ['first:start'])

    first.stop()
    second.stop()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(played, ['first:start', 'first:stop'])
    assert.equal(locks.held.size, 0)

    await second.start()
    assert.deepEqual(played, ['first:start', 'first:stop', 'second:start'])
    second.stop()
  })

  test('plays directly where the browser has no Web Locks', async ({ assert }) => {
    const played: string[] = []
    const ringtone = new SingleTabRingtone({ start: () => played.push('start'), stop: () => played.push('stop') }, null)
    await ringtone.start()
    ringtone.stop()
    assert.deepEqual(played, ['start', 'stop'])
  })
})
