import { test } from '@japa/runner'
import { BrowserlessClient, SseStream } from '#tests/helpers/browserless_client'
import { until } from '#tests/helpers/waiting'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import transmit from '@adonisjs/transmit/services/main'
import Membership from '#models/membership'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Posts from the channel page's composer form, with the CSRF field the page carries. */
async function postFromComposer(browser: BrowserlessClient, channelId: number, body: string, headers: Record<string, string> = {}) {
  const page = await browser.fetch(`/channels/${channelId}`)
  const csrf = (await page.text()).match(/name='_csrf' value='([^']+)'/)![1]!
  return browser.fetch(`/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ _csrf: csrf, body }),
  })
}

test.group('Live messages over SSE', (group) => {
  withCleanDatabase(group)

  test('a member subscribed to the channel receives new messages as they are posted', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])

    const bobBrowser = await new BrowserlessClient(baseUrl()).login(bob!.email, TEST_PASSWORD)
    const stream = await bobBrowser.openStream()
    cleanup(() => stream.close())
    const subscribed = await stream.subscribe(`channels/${channel.id}`)
    assert.equal(subscribed.status, 204)

    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const posted = await postFromComposer(aliceBrowser, channel.id, 'Live <b>hello</b>', { 'hx-request': 'true' })
    assert.equal(posted.status, 200)

    const event = await stream.waitFor(`channels/${channel.id}`, (payload) => payload.type === 'message.posted')
    assert.equal(event.authorId, alice!.id)
    assert.include(event.html, 'Live &lt;b&gt;hello&lt;/b&gt;')
    assert.include(event.html, `id="message-${event.id}"`)
  })

  test("a non-member's subscription is refused and delivers nothing", async ({ assert, cleanup }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!])

    const malloryBrowser = await new BrowserlessClient(baseUrl()).login(mallory!.email, TEST_PASSWORD)
    const stream = await malloryBrowser.openStream()
    cleanup(() => stream.close())
    const refused = await stream.subscribe(`channels/${channel.id}`)
    assert.equal(refused.status, 400)

    // Someone else's private notifications are refused the same way.
    assert.equal((await stream.subscribe(`users/${alice!.id}`)).status, 400)
    assert.equal((await stream.subscribe(`users/${mallory!.id}`)).status, 204)

    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    await postFromComposer(aliceBrowser, channel.id, 'members only')
    await assert.rejects(() => stream.waitFor(`channels/${channel.id}`, () => true, 500), /No matching event/)
  })

  test('someone who leaves a channel stops receiving it at once', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!], 'private')
    const bobBrowser = await new BrowserlessClient(baseUrl()).login(bob!.email, TEST_PASSWORD)
    const stream = await bobBrowser.openStream()
    cleanup(() => stream.close())
    assert.equal((await stream.subscribe(`channels/${channel.id}`)).status, 204)

    const page = await bobBrowser.fetch('/channels')
    const csrf = (await page.text()).match(/name='_csrf' value='([^']+)'/)![1]!
    const left = await bobBrowser.fetch(`/channels/${channel.id}/membership?_method=DELETE`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
    })
    assert.equal(left.status, 302)

    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    await postFromComposer(aliceBrowser, channel.id, 'after bob left')
    await assert.rejects(() => stream.waitFor(`channels/${channel.id}`, () => true, 500), /No matching event/)
  })

  test('a leave that commits while a subscribe is on its way: the subscription is undone, nothing delivered', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!], 'private')
    const bobBrowser = await new BrowserlessClient(baseUrl()).login(bob!.email, TEST_PASSWORD)
    const stream = await bobBrowser.openStream()
    cleanup(() => stream.close())

    // bob's access is checked, then his leave commits before the stream is subscribed (as when
    // the subscribe is forwarded to the instance holding the stream).
    const manager = transmit.getManager()
    const verifyAccess = manager.verifyAccess.bind(manager)
    let checks = 0
    manager.verifyAccess = async (...args: Parameters<typeof verifyAccess>) => {
      const allowed = await verifyAccess(...args)
      if (args[0] === `channels/${channel.id}` && ++checks === 1) {
        await Membership.query().where({ channelId: channel.id, userId: bob!.id }).delete()
      }
      return allowed
    }
    cleanup(() => {
      manager.verifyAccess = verifyAccess
    })

    const subscribed = await stream.subscribe(`channels/${channel.id}`)
    assert.equal(subscribed.status, 400)
    assert.equal(checks, 2, 'access is checked again once the subscription is in place')

    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    await postFromComposer(aliceBrowser, channel.id, 'after bob left')
    await assert.rejects(() => stream.waitFor(`channels/${channel.id}`, () => true, 500), /No matching event/)
  })

  test('malformed subscriptions get a clear 422', async ({ assert, cleanup }) => {
    const [alice] = await people(1)
    const browser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const stream = await browser.openStream()
    cleanup(() => stream.close())

    const unknown = await stream.subscribe('admin/everything')
    assert.equal(unknown.status, 422)
    const missingUid = await browser.fetch('/__transmit/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ channel: 'channels/1' }),
    })
    assert.equal(missingUid.status, 422)
    assert.equal((await missingUid.json()).errors[0].field, 'uid')
  })
})

test.group('SSE streams: signed-in owners only, capped per person', (group) => {
  withCleanDatabase(group)

  test('without a session, opening a stream or subscribing answers 401 JSON', async ({ assert }) => {
    const response = await fetch(`${baseUrl()}/__transmit/events?uid=${crypto.randomUUID()}`, {
      headers: { accept: 'text/event-stream' },
    })
    assert.equal(response.status, 401)
    assert.equal((await response.json()).errors[0].message, 'Sign in to receive live updates')

    // A visitor with a valid XSRF token (CSRF passes) but no session.
    const visitor = new BrowserlessClient(baseUrl())
    await visitor.fetch('/health')
    const subscribe = await visitor.fetch('/__transmit/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ uid: crypto.randomUUID(), channel: 'channels/1' }),
    })
    assert.equal(subscribe.status, 401)
  })

  test('a person holds at most 10 streams: the 11th gets 429 with Retry-After, and a closed stream frees its slot', async ({ assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const streams: SseStream[] = []
    for (let index = 0; index < 10; index++) streams.push(await aliceBrowser.openStream())
    cleanup(() => streams.forEach((stream) => stream.close()))

    const refused = await aliceBrowser.requestStream(crypto.randomUUID())
    assert.equal(refused.response.status, 429)
    assert.equal(refused.response.headers.get('retry-after'), '30')
    assert.match((await refused.response.json()).errors[0].message, /Too many live streams/)

    // The cap is per person: bob is not affected.
    const bobStream = await (await new BrowserlessClient(baseUrl()).login(bob!.email, TEST_PASSWORD)).openStream()
    bobStream.close()

    streams.pop()!.close()
    const reopened = await until(
      async () => {
        const attempt = await aliceBrowser.requestStream(crypto.randomUUID())
        if (attempt.response.status === 200) streams.push(new SseStream(aliceBrowser, '', attempt.response.body!, attempt.controller))
        return attempt.response.status
      },
      (status) => status === 200,
      5000,
      'the closed stream to free its slot'
    )
    assert.equal(reopened, 200)
  })
})

test.group('SSE streams: a stream id belongs to its session', (group) => {
  withCleanDatabase(group)

  /** bob's stream, subscribed to his channel with alice; mallory has her own channel. */
  async function bobListening() {
    const [alice, bob, mallory] = await people(3)
    const shared = await channelWith([alice!, bob!])
    const mallorys = await channelWith([mallory!])
    const bobBrowser = await new BrowserlessClient(baseUrl()).login(bob!.email, TEST_PASSWORD)
    const stream = await bobBrowser.openStream()
    const aliceBrowser = await new BrowserlessClient(baseUrl()).login(alice!.email, TEST_PASSWORD)
    const malloryBrowser = await new BrowserlessClient(baseUrl()).login(mallory!.email, TEST_PASSWORD)
    return { alice: alice!, bob: bob!, shared, mallorys, bobBrowser, stream, aliceBrowser, malloryBrowser }
  }

  test("someone else's uid cannot be subscribed or unsubscribed (404), and bob keeps his channel", async ({ assert, cleanup }) => {
    const { shared, mallorys, stream, aliceBrowser, malloryBrowser } = await bobListening()
    cleanup(() => stream.close())
    assert.equal((await stream.subscribe(`channels/${shared.id}`)).status, 204)

    const pushed = await stream.subscribe(`channels/${mallorys.id}`, malloryBrowser)
    assert.equal(pushed.status, 404)
    assert.equal((await pushed.json()).errors[0].message, 'No open stream with this id in your session')
    assert.equal((await stream.unsubscribe(`channels/${shared.id}`, malloryBrowser)).status, 404)

    // Mallory's channel never reaches bob; bob's channel still does.
    await postFromComposer(malloryBrowser, mallorys.id, 'pushed into bob')
    await postFromComposer(aliceBrowser, shared.id, 'still for bob')
    const event = await stream.waitFor(`channels/${shared.id}`, (payload) => payload.type === 'message.posted')
    assert.include(event.html, 'still for bob')
    assert.deepEqual(stream.received(`channels/${mallorys.id}`), [])
  })

  test("opening a stream with a uid in use by another person or session is refused (409); the owner's reconnect takes it over", async ({ assert, cleanup }) => {
    const { bob, shared, bobBrowser, stream, aliceBrowser, malloryBrowser } = await bobListening()
    cleanup(() => stream.close())

    const stolen = await malloryBrowser.requestStream(stream.uid)
    assert.equal(stolen.response.status, 409)
    assert.equal((await stolen.response.json()).errors[0].message, 'This stream id belongs to another session')
    // bob himself, signed in elsewhere (another session), cannot take or drive it either.
    const bobElsewhere = await new BrowserlessClient(baseUrl()).login(bob.email, TEST_PASSWORD)
    assert.equal((await bobElsewhere.requestStream(stream.uid)).response.status, 409)
    assert.equal((await stream.subscribe(`channels/${shared.id}`, bobElsewhere)).status, 404)

    // The same page reconnecting (EventSource keeps its uid): the new stream replaces the old.
    const reconnected = await bobBrowser.openStream(stream.uid)
    cleanup(() => reconnected.close())
    await stream.ended
    assert.equal((await reconnected.subscribe(`channels/${shared.id}`)).status, 204)
    await postFromComposer(aliceBrowser, shared.id, 'after the reconnect')
    assert.include((await reconnected.waitFor(`channels/${shared.id}`)).html, 'after the reconnect')
  })
})
