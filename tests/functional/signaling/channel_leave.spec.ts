import { test } from '@japa/runner'
import { CallSocketClient, baseUrl } from '#tests/helpers/call_socket'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { accept, snapshot, startCall } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'
import { TEST_REDIS_URL, printedSkip, redisForTests } from '#tests/helpers/services'

const redisUp = await redisForTests()

/** Leaves the channel through the real route, as the "Leave channel" button does. */
async function leaveChannel(browser: BrowserlessClient, channelId: number) {
  const response = await browser.fetch(`/channels/${channelId}/membership`, { method: 'DELETE' })
  return response.status
}

async function signedIn(user: User) {
  return new BrowserlessClient(baseUrl()).login(user.email, TEST_PASSWORD)
}

test.group('Leaving a channel leaves its call', (group) => {
  withCleanDatabase(group)

  test('someone in the call who leaves the channel is out of the call, their socket closed (4411)', async ({ client, assert, cleanup }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
    await accept(client, bob!, callId)
    const bobBrowser = await signedIn(bob!)
    const aliceSocket = await CallSocketClient.as(alice!, callId)
    const bobSocket = await CallSocketClient.as(bob!, callId, { browser: bobBrowser })
    cleanup(() => aliceSocket.close())
    cleanup(() => bobSocket.close())
    await aliceSocket.next('welcome')
    await bobSocket.next('welcome')

    assert.equal(await leaveChannel(bobBrowser, channel.id), 302)

    assert.deepEqual(await bobSocket.closed, { code: CloseCode.LeftChannel, reason: 'You left this channel, and its call' })
    assert.deepEqual(await aliceSocket.next('participant.left'), { type: 'participant.left', userId: bob!.id, reason: 'left' })
    const { call, statuses } = await snapshot(callId)
    assert.equal(statuses[bob!.id], 'left')
    assert.equal(call.status, 'active', 'the others carry on')
    assert.equal(aliceSocket.ws.readyState, aliceSocket.ws.OPEN)

    // And they cannot come back through the socket: the call is not theirs to see any more.
    const again = await CallSocketClient.as(bob!, callId, { browser: bobBrowser })
    assert.equal((await again.closed).code, CloseCode.NoSuchCall)
  })

  test('someone ringing who leaves the channel stops ringing (declined); the call goes on', async ({ client, assert, cleanup }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel, 'audio')).body().call.id as number
    const carolBrowser = await signedIn(carol!)
    const carolStream = await carolBrowser.openStream()
    cleanup(() => carolStream.close())
    assert.equal((await carolStream.subscribe(`users/${carol!.id}`)).status, 204)

    assert.equal(await leaveChannel(carolBrowser, channel.id), 302)

    const stopped = await carolStream.waitFor(`users/${carol!.id}`, (payload: any) => payload.type === 'call.ring_stopped')
    assert.deepEqual(stopped, { type: 'call.ring_stopped', callId, reason: 'declined' })
    const { call, statuses } = await snapshot(callId)
    assert.equal(statuses[carol!.id], 'declined')
    assert.equal(statuses[bob!.id], 'ringing', 'the others still ring')
    assert.equal(call.status, 'ringing')
  })

  test('the last one in the call leaving the channel ends it for everyone', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
    await accept(client, bob!, callId)
    const aliceBrowser = await signedIn(alice!)
    const aliceSocket = await CallSocketClient.as(alice!, callId, { browser: aliceBrowser })
    cleanup(() => aliceSocket.close())
    await aliceSocket.next('welcome')
    // bob hangs up first; then alice leaves the channel while alone in the call.
    const bobBrowser = await signedIn(bob!)
    await bobBrowser.fetch(`/calls/${callId}/participation`, { method: 'DELETE', headers: { accept: 'application/json' } })

    assert.equal(await leaveChannel(aliceBrowser, channel.id), 302)

    assert.equal((await aliceSocket.next('call.ended')).reason, 'everyone_left')
    assert.equal((await aliceSocket.closed).code, CloseCode.CallEnded)
    const { call, statuses } = await snapshot(callId)
    assert.equal(call.status, 'ended')
    assert.equal(statuses[alice!.id], 'left')
  })
})

test.group('Leaving a channel leaves its call, across instances', (group) => {
  withCleanDatabase(group)

  test('the leave reaches the instance holding the socket (Redis): it closes with 4411 there', async ({ client, assert, cleanup }) => {
    const shared = {
      NODE_ENV: 'test',
      SQLITE_PATH: app.tmpPath('test.sqlite3'),
      SESSION_DRIVER: 'database',
      REDIS_URL: TEST_REDIS_URL,
    }
    // Ports of this spec's own range (3411-3419): other specs' instances use 3390-3397.
    const a = new AppProcess(3411, shared)
    const b = new AppProcess(3412, shared)
    cleanup(() => a.stop())
    cleanup(() => b.stop())
    await Promise.all([a.ready('/health'), b.ready('/health')])
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id as number
    await accept(client, bob!, callId)

    const aliceSocket = await CallSocketClient.as(alice!, callId, { server: a.url })
    cleanup(() => aliceSocket.close())
    await aliceSocket.next('welcome')
    const bobSocket = await CallSocketClient.as(bob!, callId, { server: b.url })
    cleanup(() => bobSocket.close())
    await bobSocket.next('welcome')
    await aliceSocket.next('participant.joined', (frame) => frame.participant.userId === bob!.id)

    const bobOnA = await new BrowserlessClient(a.url).login(bob!.email, TEST_PASSWORD)
    assert.equal(await leaveChannel(bobOnA, channel.id), 302)

    assert.equal((await bobSocket.closed).code, CloseCode.LeftChannel)
    assert.equal((await aliceSocket.next('participant.left', () => true, 5000)).userId, bob!.id)
    assert.equal((await snapshot(callId)).statuses[bob!.id], 'left')
  })
    .timeout(60_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})
