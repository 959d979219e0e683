import { test } from '@japa/runner'
import { barChart } from '#helpers/bar_chart'

const day = (key: string, value: number) => ({ key, value, label: key, title: `${key}: ${value}` })

test.group('barChart', () => {
  test('bars scale to the largest value and stand on one baseline; a zero is a bar of no height', ({ assert }) => {
    const chart = barChart([day('a', 0), day('b', 2), day('c', 4)])
    const [zero, half, full] = chart.bars
    assert.equal(zero!.height, 0)
    assert.equal(half!.height * 2, full!.height)
    for (const bar of chart.bars) assert.equal(bar.y + bar.height, chart.baseline)
    assert.isAbove(full!.y, 0, 'room above the tallest bar for its value')
    assert.isBelow(chart.baseline, chart.height, 'room under the bars for their labels')
  })

  test('bars sit side by side in order, inside the chart, each centred on its label', ({ assert }) => {
    const chart = barChart(Array.from({ length: 14 }, (_, index) => day(String(index), index)))
    chart.bars.forEach((bar, index) => {
      assert.equal(bar.key, String(index))
      assert.isAtLeast(bar.x, 0)
      assert.isAtMost(bar.x + bar.width, chart.width)
      assert.closeTo(bar.middle, bar.x + bar.width / 2, 0.1)
      if (index > 0) assert.isAbove(bar.x, chart.bars[index - 1]!.x + chart.bars[index - 1]!.width)
    })
  })

  test('all zeros draw flat bars, no division by zero', ({ assert }) => {
    const chart = barChart([day('a', 0), day('b', 0)])
    assert.deepEqual(chart.bars.map((bar) => bar.height), [0, 0])
  })
})
