import { test } from '@japa/runner'
import { CallSocketClient } from '#tests/helpers/call_socket'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, startCall } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'

test.group('Call WebSocket: who may connect', (group) => {
  withCleanDatabase(group)

  test('no session: 401 before the handshake', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const socket = CallSocketClient.anonymous(callId)
    assert.deepEqual(await socket.closed, { status: 401 })
  })

  test('a foreign Origin: 403 before the handshake, even with a valid session', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id
    const evil = await CallSocketClient.as(alice!, callId, { origin: 'https://evil.example' })
    assert.deepEqual(await evil.closed, { status: 403 })
    const noOrigin = await CallSocketClient.as(alice!, callId, { origin: '' })
    assert.deepEqual(await noOrigin.closed, { status: 403 })
  })

  test('close codes after the handshake: 4404 no such call, 4403 not in it, 4410 ended', async ({ client, assert }) => {
    const [alice, bob, mallory] = await people(3)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id

    const outsider = await CallSocketClient.as(mallory!, callId)
    assert.equal((await outsider.closed).code, CloseCode.NoSuchCall)
    const nowhere = await CallSocketClient.as(alice!, 999_999)
    assert.equal((await nowhere.closed).code, CloseCode.NoSuchCall)

    // bob is a member and rings, but has not joined.
    const ringing = await CallSocketClient.as(bob!, callId)
    const refused = await ringing.closed
    assert.equal(refused.code, CloseCode.NotParticipant)
    assert.equal(refused.reason, 'You are not in this call: join it first')

    await endForEveryone(client, alice!, callId)
    const late = await CallSocketClient.as(alice!, callId)
    assert.equal((await late.closed).code, CloseCode.CallEnded)
  })

  test('a joined participant is welcomed with the call, the people in it and ICE servers', async ({ client, assert, cleanup }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id
    await accept(client, bob!, callId)

    const aliceSocket = await CallSocketClient.as(alice!, callId, { peerId: '6f1c1d6e-52a8-4c55-9d64-8f4b5d1c2a10' })
    cleanup(() => aliceSocket.close())
    const welcome = await aliceSocket.next('welcome')

    assert.deepEqual(welcome.self, { userId: alice!.id, name: alice!.fullName })
    assert.equal(welcome.call.id, callId)
    assert.equal(welcome.call.kind, 'video')
    assert.equal(welcome.call.status, 'active')
    assert.equal(welcome.call.initiatorId, alice!.id)
    assert.deepEqual(
      welcome.participants.map((p) => [p.userId, p.connection, p.audio, p.video, p.screen]),
      [
        [alice!.id, 'connected', true, true, false],
        [bob!.id, 'away', true, true, false],
      ]
    )
    assert.equal(welcome.participants[0]!.peerId, '6f1c1d6e-52a8-4c55-9d64-8f4b5d1c2a10')
    assert.isArray(welcome.iceServers)
    assert.equal(welcome.iceTransportPolicy, 'all')
    assert.equal(welcome.topology, 'mesh', 'no Janus configured in the tests: a mesh')

    const bobSocket = await CallSocketClient.as(bob!, callId)
    cleanup(() => bobSocket.close())
    await bobSocket.next('welcome')
    const joined = await aliceSocket.next('participant.joined')
    assert.equal(joined.participant.userId, bob!.id)
    assert.equal(joined.participant.connection, 'connected')
    assert.isFalse(joined.reconnected)
  })

  test('one connection per person and call: a newer one replaces the older, which is told', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const callId = (await startCall(client, alice!, await channelWith([alice!, bob!]))).body().call.id

    const first = await CallSocketClient.as(alice!, callId)
    await first.next('welcome')
    const second = await CallSocketClient.as(alice!, callId)
    cleanup(() => second.close())
    await second.next('welcome')

    const told = await first.next('error')
    assert.equal(told.code, 'replaced')
    assert.equal((await first.closed).code, CloseCode.Replaced)
    assert.equal(second.ws.readyState, second.ws.OPEN)
  })

  test('joining a full call is refused with the reason', async ({ client, assert }) => {
    const everyone = await people(9)
    const channel = await channelWith(everyone)
    const callId = (await startCall(client, everyone[0]!, channel)).body().call.id
    for (const person of everyone.slice(1, 8)) (await accept(client, person, callId)).assertStatus(200)

    const ninth = await accept(client, everyone[8]!, callId)

    ninth.assertStatus(409)
    // No JANUS_URLS in the tests: a mesh-only server, which says why calls stop at 8.
    assert.equal(
      ninth.body().errors[0].message,
      'This call is full: at most 8 people can be in it. Calls here connect everyone directly, without a media server, which keeps them this small.'
    )
  })
})
