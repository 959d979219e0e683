import { test } from '@japa/runner'
import v8 from 'node:v8'
import vm from 'node:vm'
import { setImmediate as nextTurn } from 'node:timers/promises'
import transmit from '@adonisjs/transmit/services/main'
import { BrowserlessClient, type SseStream } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'

/*
| What patches/@boringnode+transmit+*.patch (applied by `npm install`) changes, seen from outside:
| a broadcast reaches exactly its channel's streams through an index kept in step with
| subscribe, unsubscribe and close; it is serialised once however many streams get it; and an
| open stream no longer keeps its request's HttpContext alive.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

async function streamsOf(user: User, count: number, cleanup: (fn: () => void) => void) {
  const browser = await new BrowserlessClient(baseUrl()).login(user.email, TEST_PASSWORD)
  const streams: SseStream[] = []
  for (let i = 0; i < count; i++) {
    const stream = await browser.openStream()
    cleanup(() => stream.close())
    streams.push(stream)
  }
  return streams
}

async function subscribe(stream: SseStream, channel: string) {
  const answer = await stream.subscribe(channel)
  if (answer.status !== 204) throw new Error(`Subscribing to ${channel} answered ${answer.status}`)
}

/** A payload that counts how often it is serialised (JSON.stringify calls toJSON each time). */
function countedPayload(text: string) {
  const counter = { serialisations: 0 }
  const payload = {
    toJSON() {
      counter.serialisations++
      return { type: 'message.posted', id: 1, authorId: null, html: text }
    },
  }
  return { payload: payload as unknown as Record<string, string>, counter }
}

/** The V8 collector, exposed to this process without a command-line flag. */
function garbageCollector(): () => void {
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc')
}

test.group('Transmit fan-out (the patched Transmit)', (group) => {
  withCleanDatabase(group)

  test('a broadcast reaches exactly the streams subscribed to its channel, serialised once, and follows unsubscribe and close', async ({ assert, cleanup }) => {
    const everyone = await people(6)
    const members = everyone.slice(0, 3)
    const channel = await channelWith(members)
    const topic = `channels/${channel.id}`
    // 12 open streams: the members' 6 subscribed to the channel, the others' 6 to their own.
    const memberStreams = (await Promise.all(members.map((user) => streamsOf(user, 2, cleanup)))).flat()
    const otherStreams: SseStream[] = []
    for (const user of everyone.slice(3)) {
      for (const stream of await streamsOf(user, 2, cleanup)) {
        await subscribe(stream, `users/${user.id}`)
        otherStreams.push(stream)
      }
    }
    for (const stream of memberStreams) await subscribe(stream, topic)

    const first = countedPayload('first')
    transmit.broadcast(topic, first.payload)
    for (const stream of memberStreams) await stream.waitFor(topic, (event) => event.html === 'first')
    assert.equal(first.counter.serialisations, 1, 'one serialisation for 6 subscribers')

    // One member stream unsubscribes, another closes: the next broadcast reaches the other 4.
    const [unsubscribed, closed, ...still] = memberStreams
    assert.equal((await unsubscribed!.unsubscribe(topic)).status, 204)
    closed!.close()
    await closed!.ended
    const closedUid = closed!.uid
    await waitUntil(() => !transmit.getSubscribersFor(topic).includes(closedUid))

    const second = countedPayload('second')
    transmit.broadcast(topic, second.payload)
    for (const stream of still) await stream.waitFor(topic, (event) => event.html === 'second')
    assert.equal(second.counter.serialisations, 1)
    assert.sameMembers(transmit.getSubscribersFor(topic), still.map((stream) => stream.uid))

    // Everything delivered is in: nobody outside the channel got anything, nobody got a copy twice.
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (const stream of otherStreams) assert.deepEqual(stream.received(topic), [])
    assert.deepEqual(unsubscribed!.received(topic).map((event) => event.html), ['first'])
    for (const stream of still) assert.deepEqual(stream.received(topic).map((event) => event.html), ['first', 'second'])
  })

  test("an open stream does not keep its request's HttpContext alive", async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const contexts = new Map<string, WeakRef<object>>()
    const off = transmit.on('connect', ({ uid, context }) => contexts.set(uid, new WeakRef(context as object)))
    cleanup(off)
    const [stream] = await streamsOf(alice!, 1, cleanup)
    await subscribe(stream!, `users/${alice!.id}`)
    const context = contexts.get(stream!.uid)
    assert.exists(context?.deref(), 'the connect event carried the stream request’s context')

    // A WeakRef's target stays alive until the job that read it ends: collect in a later one.
    const gc = garbageCollector()
    for (let round = 0; round < 10; round++) {
      await nextTurn()
      gc()
      await nextTurn()
      if (!context!.deref()) break
    }

    assert.isUndefined(context!.deref(), 'the context was collected while its stream stays open')
    transmit.broadcast(`users/${alice!.id}`, { type: 'call.ended', callId: 1, status: 'ended', reason: null, endedBy: null })
    assert.equal((await stream!.waitFor(`users/${alice!.id}`)).type, 'call.ended')
  })
})

async function waitUntil(check: () => boolean, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
