import { test } from '@japa/runner'
import sfuRooms from '#sfu/main'
import Call from '#models/call'
import { callOfThree } from '#tests/helpers/call_socket'
import { JanusNamespace } from '#tests/helpers/janus'
import { appSfuForGroup } from '#tests/helpers/app_sfu'
import { printedSkip } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'
import { withCleanDatabase } from '#tests/helpers/world'

const janus = JanusNamespace.availableForTests()
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }

test.group('SFU frames in a mesh call (no Janus configured)', (group) => {
  withCleanDatabase(group)

  test('the welcome says mesh, and sfu.* frames are refused as not_sfu', async ({ assert, client, cleanup }) => {
    const { aliceSocket } = await callOfThree(client, cleanup)
    assert.equal((await aliceSocket.next('welcome')).topology, 'mesh')
    aliceSocket.send({ type: 'sfu.publish', jsep: offer })
    assert.equal((await aliceSocket.next('error')).code, 'not_sfu')
    aliceSocket.send({ type: 'sfu.subscribe' })
    aliceSocket.send({ type: 'sfu.trickle', target: 'publisher', candidate: null })
    const refusals = await until(async () => aliceSocket.frames.filter((frame) => frame.type === 'error'), (errors) => errors.length === 3, 3000, 'three refusals')
    assert.deepEqual(refusals.map((frame: any) => frame.code), ['not_sfu', 'not_sfu', 'not_sfu'])
  })

  test('malformed sfu.* frames are invalid_frame, saying which field', async ({ assert, client, cleanup }) => {
    const { aliceSocket } = await callOfThree(client, cleanup)
    const frames = [
      { type: 'sfu.publish', jsep: { type: 'answer', sdp: 'v=0' } },
      { type: 'sfu.publish', jsep: { type: 'offer', sdp: 'x'.repeat(60_001) } },
      { type: 'sfu.start', jsep: { type: 'answer' } },
      { type: 'sfu.trickle', target: 'everyone', candidate: null },
      { type: 'sfu.trickle', target: 'publisher', candidate: { candidate: 42 } },
    ]
    for (const frame of frames) aliceSocket.send(frame)
    const errors = await until(async () => aliceSocket.frames.filter((frame) => frame.type === 'error'), (list) => list.length === frames.length, 3000, 'every frame refused')
    assert.deepEqual(errors.map((frame: any) => frame.code), frames.map(() => 'invalid_frame'))
    assert.match((errors[0] as any).message, /^jsep\.type:/)
    assert.match((errors[3] as any).message, /^target:/)
  })
})

test.group('SFU frames with Janus (CALL_SFU_FROM=0)', (group) => {
  withCleanDatabase(group)
  const server = appSfuForGroup(group, 0, { rtpPorts: '20000-20050' })

  test('the welcome says sfu; a publish joins the room on the person’s behalf, leaving detaches them', async ({ assert, client, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    assert.equal((await bobSocket.next('welcome')).topology, 'sfu')
    // Out of order: nothing published yet.
    bobSocket.send({ type: 'sfu.start', jsep: { type: 'answer', sdp: 'v=0' } })
    assert.equal((await bobSocket.next('error')).code, 'not_sfu')

    // Not a usable offer: Janus refuses it, and says so, but bob joined the room first.
    bobSocket.send({ type: 'sfu.publish', jsep: offer })
    const refused = await bobSocket.next('error', (frame) => frame.code === 'sfu_unavailable', 5000)
    assert.match(refused.message, /^The media server refused sfu\.publish: /)
    const call = await Call.findOrFail(callId)
    assert.isNotNull(call.sfuRoomId)
    const room = { server: server.url, room: call.sfuRoomId! }
    assert.deepEqual((await sfuRooms.participants(room)).map((participant) => participant.id), [bob.id])
    // Others learn who publishes; bob's own frames about it come to him only.
    assert.deepEqual((await bobSocket.next('sfu.feeds')).userIds, [])
    assert.notInclude(aliceSocket.frames.map((frame) => frame.type), 'sfu.feeds')

    bobSocket.send({ type: 'leave' })
    await until(() => sfuRooms.participants(room), (list) => list.length === 0, 5000, 'bob gone from the Janus room')
  }).skip(...printedSkip(janus.missing, janus.reason))
})
