import { test } from '@japa/runner'
import type { Browser, Page } from 'playwright-core'
import sfuRooms from '#sfu/main'
import Call from '#models/call'
import type User from '#models/user'
import { pageServingInstance } from '#tests/helpers/app_process'
import { JanusNamespace } from '#tests/helpers/janus'
import { appSfuForGroup } from '#tests/helpers/app_sfu'
import { printedSkip, redisForTests } from '#tests/helpers/services'
import { TcpProxy } from '#tests/helpers/tcp_proxy'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, closePages, launchChromium, pageAs, startCallFrom, until } from '#tests/helpers/browser'
import { sfuStats } from '#tests/helpers/sfu_pages'

const janus = JanusNamespace.availableForTests()
const redisUp = await redisForTests()

/**
 * Video frames the page decoded from `userId` over one second: their tile's track, read on the
 * page's current SFU subscriber connection (0 when the tile shows nothing from it).
 */
function framesPerSecondFrom(page: Page, userId: number) {
  return page.evaluate(async (from) => {
    const mesh = (window as any).confabCall?.mesh
    const track = mesh?.participants.find((participant: any) => participant.userId === from)?.stream?.getVideoTracks()[0]
    const subscriber: RTCPeerConnection | undefined = mesh?.sfu?.subscriber
    if (!track || !subscriber || !subscriber.getReceivers().some((receiver) => receiver.track === track)) return 0
    const decoded = async () => {
      let frames = 0
      ;(await subscriber.getStats(track)).forEach((stat: any) => {
        if (stat.type === 'inbound-rtp') frames += stat.framesDecoded ?? 0
      })
      return frames
    }
    const before = await decoded()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return (await decoded()) - before
  }, userId)
}

test.group('SFU calls across Confab instances (Janus, Redis, Chromium)', (group) => {
  withCleanDatabase(group)
  const server = appSfuForGroup(group, 0, { wsPort: 4035 })

  test("alice on A, bob on B share the call's Janus room; B dies, bob's page reconnects to A and publishes and subscribes again there", async ({ assert, cleanup }) => {
    // NODE_ENV=development: the SFU provider connects to Janus outside the test runner only.
    const env = { NODE_ENV: 'development', JANUS_URLS: server.url, JANUS_API_SECRET: server.apiSecret, CALL_SFU_FROM: '0', CALL_RECONNECT_GRACE: '20' }
    const a = pageServingInstance(4031, 4033, env)
    const b = pageServingInstance(4032, 4034, env)
    cleanup(() => a.stop())
    cleanup(() => b.stop())
    // Booting through ts-exec with a Vite dev server each takes a while on a busy machine.
    await Promise.all([a.ready('/health', 120_000), b.ready('/health', 120_000)])
    // bob's page reaches Confab through a balancer: B first, then A once B is gone.
    const balancer = new TcpProxy({ host: '127.0.0.1', port: b.port })
    const balancerUrl = `http://127.0.0.1:${await balancer.listen()}`
    cleanup(() => balancer.close())

    const [alice, bob] = (await people(2)) as [User, User]
    const channel = await channelWith([alice, bob])
    const browser: Browser = await launchChromium()
    cleanup(() => browser.close())
    const alicePage = await pageAs(browser, alice, a.url)
    const bobPage = await pageAs(browser, bob, balancerUrl)
    cleanup(() => closePages([alicePage, bobPage]))
    // Pages served by Vite dev servers of two instances beside other test runs: slow to load.
    for (const page of [alicePage, bobPage]) page.setDefaultTimeout(90_000)

    const callId = await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)
    const decoding = (frames: number) => frames > 0
    await until(() => framesPerSecondFrom(alicePage, bob.id), decoding, 60_000, 'alice decoding bob through Janus')
    await until(() => framesPerSecondFrom(bobPage, alice.id), decoding, 60_000, 'bob decoding alice through Janus')
    for (const page of [alicePage, bobPage]) assert.equal((await sfuStats(page)).meshConnections, 0, 'no peer connection between the pages')

    const call = await Call.findOrFail(callId)
    assert.equal(call.sfuServer, server.url)
    const room = { server: server.url, room: call.sfuRoomId! }
    const publisherIds = async () => (await sfuRooms.participants(room)).filter((participant) => participant.publisher).map((participant) => participant.id)
    // alice's publisher was joined by A (her socket), bob's by B (his): both in the one room.
    assert.sameMembers(await publisherIds(), [alice.id, bob.id])
    const bobsFirstPublisher = await bobPage.evaluate(() => {
      ;(window as any).firstPublisher = (window as any).confabCall.mesh.sfu.publisher
      return (window as any).confabCall.mesh.sfu.publisher.connectionState
    })
    assert.equal(bobsFirstPublisher, 'connected')

    balancer.retarget({ host: '127.0.0.1', port: a.port })
    const killedAt = Date.now()
    await b.kill()
    // B's Janus session went with it, and bob's handles with the session.
    await until(publisherIds, (ids) => !ids.includes(bob.id), 15_000, "bob's publisher gone from Janus with B")

    await until(() => framesPerSecondFrom(bobPage, alice.id), decoding, 20_000, 'bob decoding alice again, through A')
    await until(() => framesPerSecondFrom(alicePage, bob.id), decoding, 20_000, 'alice decoding bob again')
    const back = Date.now() - killedAt
    assert.sameMembers(await publisherIds(), [alice.id, bob.id])
    const bobNow = await bobPage.evaluate(() => {
      const sfu = (window as any).confabCall.mesh.sfu
      return { newPublisher: sfu.publisher !== (window as any).firstPublisher, publisher: sfu.publisher.connectionState, signaling: (window as any).confabCall.signaling.state }
    })
    assert.deepEqual(bobNow, { newPublisher: true, publisher: 'connected', signaling: 'open' })
    const state = await Call.findOrFail(callId)
    assert.equal(state.status, 'active')
    assert.equal(state.sfuRoomId, room.room, 'the same Janus room')
    console.log(`B killed: bob's page published and subscribed again through A, both decoding each other ${back} ms later`)
  })
    // Two instances with Vite dev servers and two pages on a shared 2-core machine.
    .timeout(240_000)
    .skip(...printedSkip(janus.missing || !redisUp, janus.missing ? janus.reason : 'no Redis on this machine'))
})
