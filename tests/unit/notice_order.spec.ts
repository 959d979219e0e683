import { test } from '@japa/runner'
import { NoticeOrder } from '#realtime/notice_order'

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

test.group('NoticeOrder', () => {
  test('a later turn of the same call waits until the earlier one is done, even when it is faster', async ({ assert }) => {
    const order = new NoticeOrder()
    const sent: string[] = []
    const first = order.take(7)
    const second = order.take(7)

    const slow = first.ready.then(async () => {
      await settle()
      sent.push('ring')
      first.done()
    })
    const fast = second.ready.then(() => {
      sent.push('stop')
      second.done()
    })
    await Promise.all([slow, fast])

    assert.deepEqual(sent, ['ring', 'stop'])
  })

  test('turns of different calls do not wait for each other', async ({ assert }) => {
    const order = new NoticeOrder()
    order.take(1)
    let otherReady = false
    void order.take(2).ready.then(() => (otherReady = true))
    await settle()
    assert.isTrue(otherReady)
  })

  test('done twice is harmless, and a call with no turn left is forgotten', async ({ assert }) => {
    const order = new NoticeOrder()
    const first = order.take(3)
    const second = order.take(3)
    first.done()
    first.done()
    await second.ready
    assert.equal(order.pending, 1)
    second.done()
    await settle()
    assert.equal(order.pending, 0)
  })
})
