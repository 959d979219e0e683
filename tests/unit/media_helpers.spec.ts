import { test } from '@japa/runner'
import { parseRange } from '#helpers/byte_range'
import { mediaDurationText, waveform } from '#helpers/waveform'

test.group('parseRange', () => {
  test('no header is the whole file; one range is read inclusively, clipped to the file', ({ assert }) => {
    assert.isNull(parseRange(undefined, 1000))
    assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 })
    assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 })
    assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 })
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 })
    assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 })
  })

  test('a range outside the file, backwards, or not one byte range is unsatisfiable', ({ assert }) => {
    for (const header of ['bytes=1000-', 'bytes=1000-1200', 'bytes=50-10', 'bytes=-0', 'bytes=-', 'bytes=0-1,5-9', 'items=0-1', 'bytes=abc']) {
      assert.equal(parseRange(header, 1000), 'unsatisfiable', header)
    }
  })
})

test.group('waveform', () => {
  test('one bar per peak, centred on the middle line, taller for louder, never invisible', ({ assert }) => {
    const wave = waveform([0, 0.5, 1])
    assert.lengthOf(wave.bars, 3)
    const [silent, half, full] = wave.bars
    assert.isAbove(silent!.height, 0)
    assert.isBelow(half!.height, full!.height)
    assert.equal(full!.height, wave.height)
    for (const bar of wave.bars) assert.closeTo(bar.y + bar.height / 2, wave.height / 2, 0.01)
    assert.isAbove(half!.x, silent!.x + silent!.width - 0.01)
    assert.closeTo(full!.x + full!.width, wave.width, 0.01)
  })

  test('durations read as a player writes them', ({ assert }) => {
    assert.equal(mediaDurationText(3140), '0:03')
    assert.equal(mediaDurationText(59_600), '1:00')
    assert.equal(mediaDurationText(300_000), '5:00')
  })
})
