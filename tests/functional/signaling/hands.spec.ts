import { test } from '@japa/runner'
import { CallSocketClient, callOfThree } from '#tests/helpers/call_socket'
import { withCleanDatabase } from '#tests/helpers/world'
import { accept, leave } from '#tests/helpers/calls'
import callsConfig from '#config/calls'

test.group('Call WebSocket: raised hands', (group) => {
  withCleanDatabase(group)

  test('a hand raised and lowered by its owner reaches everyone, the owner too', async ({ client, assert, cleanup }) => {
    const { bob, aliceSocket, bobSocket } = await callOfThree(client, cleanup)

    bobSocket.send({ type: 'hand', raised: true })
    const raised = await aliceSocket.next('hand')
    assert.include(raised, { userId: bob.id, raised: true, by: bob.id })
    assert.isString(raised.raisedAt)
    assert.deepEqual(await bobSocket.next('hand'), raised)

    bobSocket.send({ type: 'hand', raised: false })
    const lowered = await aliceSocket.next('hand', (frame) => !frame.raised)
    assert.deepEqual(lowered, { type: 'hand', userId: bob.id, raised: false, raisedAt: null, by: bob.id })
  })

  test('only the initiator lowers someone else\'s hand, and nobody raises it', async ({ client, assert, cleanup }) => {
    const { alice, bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    aliceSocket.send({ type: 'hand', raised: true })
    await bobSocket.next('hand', (frame) => frame.userId === alice.id)

    // bob is not the initiator: alice's hand stays up.
    bobSocket.send({ type: 'hand', raised: false, userId: alice.id })
    assert.equal((await bobSocket.next('error')).code, 'not_initiator')
    bobSocket.send({ type: 'hand', raised: true, userId: alice.id })
    assert.equal((await bobSocket.next('error', (frame) => frame.code !== 'not_initiator')).code, 'not_allowed')
    const late = await CallSocketClient.as(bob, callId)
    cleanup(() => late.close())
    const welcome = await late.next('welcome')
    assert.isString(welcome.participants.find((p) => p.userId === alice.id)!.handRaisedAt)
    assert.lengthOf(aliceSocket.frames.filter((frame) => frame.type === 'hand'), 1, 'no hand frame but alice\'s own raise')

    // alice started the call: she may lower bob's.
    late.send({ type: 'hand', raised: true })
    await aliceSocket.next('hand', (frame) => frame.userId === bob.id && frame.raised)
    aliceSocket.send({ type: 'hand', raised: false, userId: bob.id })
    const lowered = await late.next('hand', (frame) => frame.userId === bob.id && !frame.raised)
    assert.deepEqual(lowered, { type: 'hand', userId: bob.id, raised: false, raisedAt: null, by: alice.id })
  })

  test('a joiner and a reconnecting page see raised hands in the welcome, oldest first kept', async ({ client, assert, cleanup }) => {
    const { alice, bob, carol, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    bobSocket.send({ type: 'hand', raised: true })
    const bobRaised = await aliceSocket.next('hand', (frame) => frame.userId === bob.id)
    aliceSocket.send({ type: 'hand', raised: true })
    const aliceRaised = await bobSocket.next('hand', (frame) => frame.userId === alice.id)
    assert.isTrue(Date.parse(bobRaised.raisedAt!) <= Date.parse(aliceRaised.raisedAt!))

    await accept(client, carol, callId)
    const carolSocket = await CallSocketClient.as(carol, callId)
    cleanup(() => carolSocket.close())
    const welcome = await carolSocket.next('welcome')
    const handOf = (userId: number) => welcome.participants.find((p) => p.userId === userId)!.handRaisedAt
    assert.deepEqual([handOf(bob.id), handOf(alice.id), handOf(carol.id)], [bobRaised.raisedAt, aliceRaised.raisedAt, null])

    // bob's page drops and comes back within the grace: his hand is still up, in its place.
    bobSocket.ws.terminate()
    await bobSocket.closed
    const again = await CallSocketClient.as(bob, callId)
    cleanup(() => again.close())
    const back = await again.next('welcome')
    assert.equal(back.participants.find((p) => p.userId === bob.id)!.handRaisedAt, bobRaised.raisedAt)
    const rejoined = await aliceSocket.next('participant.joined', (frame) => frame.reconnected)
    assert.equal(rejoined.participant.handRaisedAt, bobRaised.raisedAt)
  })

  test('leaving clears the hand', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    bobSocket.send({ type: 'hand', raised: true })
    await aliceSocket.next('hand')
    ;(await leave(client, bob, callId)).assertStatus(200)
    await aliceSocket.next('participant.left')

    await accept(client, bob, callId)
    const again = await CallSocketClient.as(bob, callId)
    cleanup(() => again.close())
    const welcome = await again.next('welcome')
    assert.isNull(welcome.participants.find((p) => p.userId === bob.id)!.handRaisedAt)
  })
})

test.group('Call WebSocket: reactions', (group) => {
  withCleanDatabase(group)

  test('a reaction from the allowed set reaches everyone; anything else is refused', async ({ client, assert, cleanup }) => {
    const { bob, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    bobSocket.send({ type: 'reaction', emoji: '💩' })
    bobSocket.send({ type: 'reaction' })
    bobSocket.send({ type: 'hand', raised: 'yes' })
    bobSocket.send({ type: 'hand', raised: false, userId: -3 })
    bobSocket.send({ type: 'reaction', emoji: '👏' })

    assert.deepEqual(await aliceSocket.next('reaction'), { type: 'reaction', userId: bob.id, emoji: '👏' })
    assert.deepEqual(await bobSocket.next('reaction'), { type: 'reaction', userId: bob.id, emoji: '👏' })
    const errors = bobSocket.frames.filter((frame) => frame.type === 'error') as any[]
    assert.deepEqual(errors.map((frame) => frame.code), ['invalid_frame', 'invalid_frame', 'invalid_frame', 'invalid_frame'])
    assert.match(errors[0].message, /^emoji: /)
    assert.match(errors[3].message, /^userId: /)
    assert.isEmpty(aliceSocket.frames.filter((frame) => frame.type === 'hand'), 'no bad hand frame changed anything')
  })

  test('a flood of reactions is cut to a few, and the socket stays', async ({ client, assert, cleanup }) => {
    const { bobSocket, aliceSocket } = await callOfThree(client, cleanup)
    const sent = 30
    for (let index = 0; index < sent; index++) bobSocket.send({ type: 'reaction', emoji: '🎉' })
    // Frames are handled in order: once these are answered, every reaction before them was too.
    bobSocket.send({ type: 'media', audio: false, video: true, screen: false })
    bobSocket.send({ type: 'dance' })
    await aliceSocket.next('media')
    await bobSocket.next('error', (frame) => frame.code === 'unknown_type')

    const relayed = aliceSocket.frames.filter((frame) => frame.type === 'reaction').length
    const limited = bobSocket.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited').length
    assert.isAtLeast(relayed, callsConfig.reactionBurst)
    assert.isBelow(relayed, sent / 2)
    assert.equal(relayed + limited, sent)
    assert.equal(bobSocket.ws.readyState, bobSocket.ws.OPEN)
  })
})
