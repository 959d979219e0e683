import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { CloseCode, MAX_SFU_LAYERS } from '#signaling/protocol'
import { CallSocketClient, callOfThree } from '#tests/helpers/call_socket'
import { JanusNamespace } from '#tests/helpers/janus'
import { appSfuForGroup } from '#tests/helpers/app_sfu'
import { printedSkip } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'
import { withCleanDatabase } from '#tests/helpers/world'

const janus = JanusNamespace.availableForTests()
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }
const errorsOf = (socket: CallSocketClient) => socket.frames.filter((frame) => frame.type === 'error') as Array<{ code: string; message: string }>
/** A frame every socket answers at once (invalid_frame): what came before it has been handled. */
const MARKER = { type: 'sfu.layers', layers: 'marker' }

test.group('sfu.layers: which simulcast layer a page wants of each person (no Janus)', (group) => {
  withCleanDatabase(group)

  test('in a mesh call it is refused as not_sfu', async ({ assert, client, cleanup }) => {
    const { bob, aliceSocket } = await callOfThree(client, cleanup)
    aliceSocket.send({ type: 'sfu.layers', layers: [{ userId: bob.id, layer: 'low' }] })
    const refused = await aliceSocket.next('error')
    assert.equal(refused.code, 'not_sfu')
  })

  test('malformed frames are invalid_frame, saying which field', async ({ assert, client, cleanup }) => {
    const { bob, aliceSocket } = await callOfThree(client, cleanup)
    const frames = [
      { type: 'sfu.layers' },
      { type: 'sfu.layers', layers: { [bob.id]: 'low' } },
      { type: 'sfu.layers', layers: [{ userId: bob.id, layer: 'ultra' }] },
      { type: 'sfu.layers', layers: [{ userId: 0, layer: 'low' }] },
      { type: 'sfu.layers', layers: [{ userId: 1.5, layer: 'low' }] },
      { type: 'sfu.layers', layers: [{ userId: bob.id, layer: 'low' }, { userId: bob.id, layer: 'high' }] },
      { type: 'sfu.layers', layers: Array.from({ length: MAX_SFU_LAYERS + 1 }, (_, index) => ({ userId: index + 1, layer: 'low' })) },
    ]
    for (const frame of frames) aliceSocket.send(frame)
    const errors = await until(async () => errorsOf(aliceSocket), (list) => list.length === frames.length, 3000, 'every frame refused')
    assert.deepEqual(errors.map((frame) => frame.code), frames.map(() => 'invalid_frame'))
    assert.match(errors[0]!.message, /^layers:/)
    assert.match(errors[2]!.message, /^layers\.0\.layer:/)
    assert.match(errors[3]!.message, /^layers\.0\.userId:/)
  })

  test('someone still ringing has no socket to send it on (4403): only joined members get that far', async ({ assert, client, cleanup }) => {
    const { carol, callId } = await callOfThree(client, cleanup)
    const socket = await CallSocketClient.as(carol, callId)
    cleanup(() => socket.close())
    assert.equal((await socket.closed).code, CloseCode.NotParticipant)
  })
})

test.group('sfu.layers with Janus (CALL_SFU_FROM=0)', (group) => {
  withCleanDatabase(group)
  appSfuForGroup(group, 0, { rtpPorts: '20000-20050' })

  test('taken from the page that published, before its subscription exists too; a new page must publish first', async ({ assert, client, cleanup }) => {
    const { alice, bob, callId, bobSocket } = await callOfThree(client, cleanup)
    const layers = { type: 'sfu.layers', layers: [{ userId: alice.id, layer: 'high' }] }
    bobSocket.send(layers)
    assert.equal((await bobSocket.next('error')).code, 'not_sfu', 'before sfu.publish')

    // Janus refuses this offer, but bob has joined the room: his page now holds SFU handles.
    bobSocket.send({ type: 'sfu.publish', jsep: offer })
    await bobSocket.next('error', (frame) => frame.code === 'sfu_unavailable', 5000)
    bobSocket.send(layers)
    bobSocket.send(MARKER)
    await until(async () => errorsOf(bobSocket), (list) => list.at(-1)?.code === 'invalid_frame', 3000, 'the marker refused')
    assert.deepEqual(errorsOf(bobSocket).map((frame) => frame.code), ['not_sfu', 'sfu_unavailable', 'invalid_frame'], 'the layers were taken')

    // bob on a new page: the old socket is replaced, and the new page has published nothing.
    const newPage = await CallSocketClient.as(bob, callId, { peerId: randomUUID() })
    cleanup(() => newPage.close())
    await newPage.next('welcome')
    assert.equal((await bobSocket.closed).code, CloseCode.Replaced)
    newPage.send(layers)
    assert.equal((await newPage.next('error')).code, 'not_sfu')
  }).skip(...printedSkip(janus.missing, janus.reason))
})
