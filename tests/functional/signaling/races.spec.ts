import { test } from '@japa/runner'
import { CallSocketClient, baseUrl, type Outcome } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, leave, snapshot, startCall } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'
import callHub from '#signaling/call_hub'

/*
| A connect reads the database several times before it admits the socket. These tests change
| the call in between (the person leaves over HTTP, the initiator ends the call) and check that
| no socket stays open for someone no longer in the call. Run them on MySQL too (a pool of
| connections, where reads and commits really interleave): DB_CONNECTION=mysql.
*/

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Holds every connect at its presence read (the last await before admission, a Redis round
 * trip when several instances run) until `release()`; `reached` resolves when one got there.
 */
function holdConnectsAtPresence(cleanup: (fn: () => void) => void) {
  const bus = (callHub as any).bus
  const presence = bus.presence
  let reached!: () => void
  const arrived = new Promise<void>((resolve) => (reached = resolve))
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  bus.presence = async (...args: unknown[]) => {
    reached()
    await released
    return presence.apply(bus, args)
  }
  cleanup(() => {
    delete bus.presence
  })
  return { arrived, release }
}

/** How the socket ended, or null if it is still open after `ms`. */
function endedWithin(socket: CallSocketClient, ms: number): Promise<Outcome | null> {
  return Promise.race([socket.closed, sleep(ms).then(() => null)])
}

test.group('Call WebSocket: connect races', (group) => {
  withCleanDatabase(group)

  test('leaving over HTTP while the socket is being admitted: it is refused (4403)', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id as number
    await accept(client, bob!, callId)
    const hold = holdConnectsAtPresence(cleanup)

    const bobSocket = await CallSocketClient.as(bob!, callId)
    cleanup(() => bobSocket.close())
    await hold.arrived
    ;(await leave(client, bob!, callId)).assertStatus(200)
    hold.release()

    const outcome = await endedWithin(bobSocket, 3000)
    assert.isNotNull(outcome, "bob's socket stayed open after he left the call")
    assert.equal(outcome!.code, CloseCode.NotParticipant)
    assert.notInclude(bobSocket.frames.map((frame) => frame.type), 'welcome')
    assert.equal((await snapshot(callId)).statuses[bob!.id], 'left')
  })

  test('the call ending while a socket is being admitted: it is refused (4410), with the others', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id as number
    await accept(client, bob!, callId)
    const aliceSocket = await CallSocketClient.as(alice!, callId)
    cleanup(() => aliceSocket.close())
    await aliceSocket.next('welcome')
    const hold = holdConnectsAtPresence(cleanup)

    const bobSocket = await CallSocketClient.as(bob!, callId)
    cleanup(() => bobSocket.close())
    await hold.arrived
    ;(await endForEveryone(client, alice!, callId)).assertStatus(200)
    assert.equal((await aliceSocket.closed).code, CloseCode.CallEnded)
    hold.release()

    const outcome = await endedWithin(bobSocket, 3000)
    assert.isNotNull(outcome, "bob's socket stayed open for an ended call")
    assert.equal(outcome!.code, CloseCode.CallEnded)
    assert.equal(callHub.rooms.size, 0, 'no room is left behind for the ended call')
  })

  test('connects racing leaves and ends, 20 times: no socket outlives its place in the call', async ({ client, assert, cleanup }) => {
    const iterations = 20
    const everyone = await people(iterations * 2)
    const outcomes: string[] = []
    let liveRooms = 0
    for (let index = 0; index < iterations; index++) {
      const [alice, bob] = [everyone[index * 2]!, everyone[index * 2 + 1]!]
      const callId = (await startCall(client, alice, await channelWith([alice, bob]))).body().call.id as number
      await accept(client, bob, callId)
      const ending = index % 2 === 0 ? 'leave' : 'end'
      // Half the time someone else is connected already, so the call has a room to sync.
      if (index % 4 < 2) {
        if (ending === 'leave') liveRooms += 1
        const aliceSocket = await CallSocketClient.as(alice, callId)
        cleanup(() => aliceSocket.close())
        await aliceSocket.next('welcome')
      }

      // The socket opens and the change is sent a few ms apart, either first: the change's
      // commit lands before, during or after the connect's reads.
      const browser = await new BrowserlessClient(baseUrl()).login(bob.email, TEST_PASSWORD)
      const offset = (index % 10) * 4 - 16
      const change = (async () => {
        if (offset > 0) await sleep(offset)
        const response = ending === 'leave' ? await leave(client, bob, callId) : await endForEveryone(client, alice, callId)
        response.assertStatus(200)
      })()
      if (offset < 0) await sleep(-offset)
      const bobSocket = await CallSocketClient.as(bob, callId, { browser })
      await change
      cleanup(() => bobSocket.close())

      const outcome = await endedWithin(bobSocket, 2000)
      assert.isNotNull(outcome, `iteration ${index}: bob's socket stayed open after the ${ending}`)
      const welcomed = bobSocket.frames.some((frame) => frame.type === 'welcome')
      outcomes.push(`${ending}:${welcomed ? 'admitted' : 'refused'}:${outcome!.code}`)
      assert.include(
        [CloseCode.Normal, CloseCode.NotParticipant, CloseCode.CallEnded] as number[],
        outcome!.code!,
        `iteration ${index}: closed with ${outcome!.code}`
      )
    }
    console.log(`connect races: ${outcomes.join(' ')}`)
    assert.equal(callHub.rooms.size, liveRooms, 'rooms only for the calls still live (alice alone after bob left)')
  }).timeout(60_000)
})
