import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'

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
