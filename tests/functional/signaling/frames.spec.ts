import { test } from '@japa/runner'
import CallParticipant from '#models/call_participant'
import { CallSocketClient, callOfThree } from '#tests/helpers/call_socket'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, leave, snapshot, startCall } from '#tests/helpers/calls'
import { CloseCode, MAX_FRAME_BYTES } from '#signaling/protocol'
import callHub from '#signaling/call_hub'
import callsConfig from '#config/calls'
import { until } from '#tests/helpers/waiting'

const offer = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } }

test.group('Call WebSocket: frames', (group) => {
  withCleanDatabase(group)

  test('signal frames reach only their target, stamped with the real sender', async ({ client, assert, cleanup }) => {
    const { alice, bob, carol, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    aliceSocket.send({ type: 'signal', to: bob.id, from: carol.id, data: offer })
    const received = await bobSocket.next('signal')
    assert.deepEqual(received, { type: 'signal', from: alice.id, fromPeer: null, data: offer })

    const candidate = { candidate: { candidate: 'candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } }
    bobSocket.send({ type: 'signal', to: alice.id, data: candidate })
    assert.deepEqual((await aliceSocket.next('signal')).data, candidate)

    // carol is a member ringing, not in the call: nothing is relayed to her.
    aliceSocket.send({ type: 'signal', to: carol.id, data: offer })
    const refused = await aliceSocket.next('error')
    assert.equal(refused.code, 'unknown_peer')
    aliceSocket.send({ type: 'signal', to: alice.id, data: offer })
    assert.equal((await aliceSocket.next('error', (frame) => frame !== refused)).code, 'unknown_peer')
  })

  test('bad frames get an error and the connection lives on, with nothing changed', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    const before = await snapshot(callId)
    const errors = () => aliceSocket.frames.filter((frame) => frame.type === 'error')

    aliceSocket.send('{not json')
    aliceSocket.send({ type: 'dance' })
    aliceSocket.send({ type: 'signal', data: offer })
    aliceSocket.send({ type: 'media', audio: 'yes', video: true, screen: false })
    aliceSocket.send({ type: 'signal', to: bob.id, data: { description: { type: 'bogus', sdp: 'x' } } })
    aliceSocket.send(JSON.stringify([1, 2, 3]))
    aliceSocket.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    aliceSocket.send({ type: 'signal', to: bob.id, data: offer })

    await bobSocket.next('signal')
    assert.deepEqual(
      errors().map((frame: any) => frame.code),
      ['bad_json', 'unknown_type', 'invalid_frame', 'invalid_frame', 'invalid_frame', 'unknown_type', 'invalid_frame']
    )
    assert.match((errors()[2] as any).message, /^to: /)
    assert.equal(aliceSocket.ws.readyState, aliceSocket.ws.OPEN)
    const after = await snapshot(callId)
    assert.deepEqual(after.statuses, before.statuses)
    assert.equal(after.call.status, 'active')
  })

  test('an oversize frame closes the socket (1009)', async ({ client, assert, cleanup }) => {
    const { bob, aliceSocket } = await callOfThree(client, cleanup)
    const huge = { description: { type: 'offer', sdp: 'a'.repeat(MAX_FRAME_BYTES) } }
    aliceSocket.send({ type: 'signal', to: bob.id, data: huge })
    assert.equal((await aliceSocket.closed).code, CloseCode.TooBig)
  })

  test('a flood of frames closes the socket (4008)', async ({ client, assert, cleanup }) => {
    const { bob, aliceSocket } = await callOfThree(client, cleanup)
    const frame = JSON.stringify({ type: 'signal', to: bob.id, data: { candidate: null } })
    for (let index = 0; index < callsConfig.frameBurst + 50; index++) aliceSocket.ws.send(frame)
    const closed = await aliceSocket.closed
    assert.equal(closed.code, CloseCode.Flood)
    assert.equal(closed.reason, 'Too many frames, slow down')
  })

  test('media state is shared with the others and kept in the database', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    bobSocket.send({ type: 'media', audio: false, video: false, screen: false })

    assert.deepEqual(await aliceSocket.next('media'), { type: 'media', userId: bob.id, audio: false, video: false, screen: false })
    assert.isEmpty(bobSocket.frames.filter((frame) => frame.type === 'media'))
    const row = await until(
      () => CallParticipant.query().where({ callId, userId: bob.id }).firstOrFail(),
      (participant) => !participant.audioEnabled,
      2000,
      'the media state to be stored'
    )
    assert.deepEqual([row.audioEnabled, row.videoEnabled, row.screenSharing], [false, false, false])

    // A newcomer is welcomed with the current state.
    const late = await CallSocketClient.as(bob, callId)
    cleanup(() => late.close())
    const welcome = await late.next('welcome')
    const bobInfo = welcome.participants.find((p) => p.userId === bob.id)!
    assert.deepEqual([bobInfo.audio, bobInfo.video], [false, false])
  })

  test('end from a non-initiator is refused; from the initiator it ends the call for every socket', async ({ client, assert, cleanup }) => {
    const { alice, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    bobSocket.send({ type: 'end' })
    const refused = await bobSocket.next('error')
    assert.equal(refused.code, 'not_initiator')
    assert.equal((await snapshot(callId)).call.status, 'active')

    aliceSocket.send({ type: 'end' })
    for (const socket of [aliceSocket, bobSocket]) {
      assert.deepEqual(await socket.next('call.ended'), { type: 'call.ended', endedBy: alice.id, reason: 'ended_by_initiator' })
      assert.equal((await socket.closed).code, CloseCode.CallEnded)
    }
    assert.equal((await snapshot(callId)).call.status, 'ended')
  })

  test('the HTTP end route closes the sockets too', async ({ client, assert, cleanup }) => {
    const { alice, callId, bobSocket } = await callOfThree(client, cleanup)
    ;(await endForEveryone(client, alice, callId)).assertStatus(200)
    assert.equal((await bobSocket.next('call.ended')).reason, 'ended_by_initiator')
    assert.equal((await bobSocket.closed).code, CloseCode.CallEnded)
  })

  test('leave over the socket: the person is out, the others are told', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    bobSocket.send({ type: 'leave' })

    assert.deepEqual(await aliceSocket.next('participant.left'), { type: 'participant.left', userId: bob.id, reason: 'left' })
    assert.equal((await bobSocket.closed).code, CloseCode.Normal)
    assert.equal((await snapshot(callId)).statuses[bob.id], 'left')
  })

  test('leaving over HTTP closes that person\'s socket', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    ;(await leave(client, bob, callId)).assertStatus(200)
    assert.equal((await aliceSocket.next('participant.left')).userId, bob.id)
    assert.equal((await bobSocket.closed).code, CloseCode.Normal)
  })
})

test.group('Call WebSocket: reconnect grace', (group) => {
  withCleanDatabase(group)

  test('back within the grace, the person is still in the call', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    bobSocket.ws.terminate()
    await new Promise((resolve) => setTimeout(resolve, 500))

    const again = await CallSocketClient.as(bob, callId)
    cleanup(() => again.close())
    await again.next('welcome')

    const rejoined = await aliceSocket.next('participant.joined', (frame) => frame.reconnected)
    assert.equal(rejoined.participant.userId, bob.id)
    await new Promise((resolve) => setTimeout(resolve, callsConfig.reconnectGraceSeconds * 1000 + 300))
    assert.equal((await snapshot(callId)).statuses[bob.id], 'joined')
    assert.isEmpty(aliceSocket.frames.filter((frame) => frame.type === 'participant.left'))
  }).timeout(15_000)

  test('gone past the grace, the person has left; the last one out ends the call', async ({ client, assert, cleanup }) => {
    const { alice, bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    bobSocket.ws.terminate()
    const left = await aliceSocket.next('participant.left', () => true, callsConfig.reconnectGraceSeconds * 1000 + 3000)
    assert.deepEqual(left, { type: 'participant.left', userId: bob.id, reason: 'timeout' })
    assert.equal((await snapshot(callId)).statuses[bob.id], 'left')

    aliceSocket.ws.terminate()
    const { call, statuses } = await until(
      () => snapshot(callId),
      (state) => state.call.status !== 'active',
      callsConfig.reconnectGraceSeconds * 1000 + 3000,
      'the last one out to end the call'
    )
    assert.equal(call.status, 'ended')
    assert.equal(call.endReason, 'everyone_left')
    assert.equal(statuses[alice.id], 'left')
  }).timeout(20_000)
})

test.group('Call WebSocket: absent participants', (group) => {
  withCleanDatabase(group)

  test('people joined on paper but never connected leave after the grace; the call then ends', async ({ client, assert, cleanup }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)
    const aliceSocket = await CallSocketClient.as(alice!, callId)
    cleanup(() => aliceSocket.close())
    await aliceSocket.next('welcome')
    const graceLater = Date.now() + callsConfig.reconnectGraceSeconds * 1000 + 1000

    assert.deepEqual(await callHub.reapAbsent(Date.now()), [], 'nobody is reaped within the grace')
    assert.deepEqual(await callHub.reapAbsent(graceLater), [{ callId, userId: bob!.id }])
    const afterBob = await snapshot(callId)
    assert.equal(afterBob.statuses[bob!.id], 'left')
    assert.equal(afterBob.statuses[alice!.id], 'joined', 'a connected person stays')

    aliceSocket.ws.terminate()
    await aliceSocket.closed
    callHub.shutdown() // the server restarts: alice's page never comes back
    const restartedAt = Date.now()
    assert.deepEqual(await callHub.reapAbsent(restartedAt + 500), [], 'a restart gives every page a full grace')
    assert.deepEqual(await callHub.reapAbsent(restartedAt + callsConfig.reconnectGraceSeconds * 1000 + 1000), [{ callId, userId: alice!.id }])
    const { call } = await snapshot(callId)
    assert.equal(call.status, 'ended')
    assert.equal(call.endReason, 'everyone_left')
  })
})
