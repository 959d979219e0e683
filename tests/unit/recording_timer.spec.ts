import { test } from '@japa/runner'
import { RecordingTimer, formatClock } from '../../resources/js/messages/recording_timer.js'
import { ManualClock } from '#tests/helpers/media_fakes'

test.group('RecordingTimer', () => {
  test('counts up from the clock, announces the limit once and stops there', ({ assert }) => {
    const clock = new ManualClock()
    const timer = new RecordingTimer(3000, clock)
    const ticks: number[] = []
    const limits: number[] = []
    timer.on('tick', (ms) => ticks.push(ms))
    timer.on('limit', (ms) => limits.push(ms))
    timer.start()
    clock.advance(1200)
    // A throttled tab: one late tick still reads the real time.
    clock.advance(2500)
    clock.advance(1000)
    assert.deepEqual(ticks, [1200, 3000])
    assert.deepEqual(limits, [3000])
    assert.equal(timer.elapsedMs, 3000)
    assert.equal(clock.runs.size, 0)
  })

  test('stop returns the length and keeps it', ({ assert }) => {
    const clock = new ManualClock()
    const timer = new RecordingTimer(60_000, clock)
    timer.start()
    clock.advance(2345)
    assert.equal(timer.stop(), 2345)
    clock.advance(5000)
    assert.equal(timer.stop(), 2345)
    assert.equal(timer.elapsedMs, 2345)
  })

  test('formats minutes and seconds', ({ assert }) => {
    assert.equal(formatClock(0), '0:00')
    assert.equal(formatClock(7999), '0:07')
    assert.equal(formatClock(120_000), '2:00')
    assert.equal(formatClock(725_000), '12:05')
  })
})
