import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
import { pageServingInstance } from '#tests/helpers/app_process'
import { Nginx } from '#tests/helpers/nginx'
import { printedSkip, redisForTests } from '#tests/helpers/services'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, closePages, launchChromium, pageAs, peerStats, receivingEverything, startCallFrom, until } from '#tests/helpers/browser'

const redisUp = await redisForTests()

test.group('Calls across instances in Chromium', (group) => {
  withCleanDatabase(group)

  test("alice's page on instance A, bob's on instance B: they see and hear each other", async ({ cleanup }) => {
    const a = pageServingInstance(3395, 24691)
    const b = pageServingInstance(3396, 24692)
    cleanup(() => a.stop())
    cleanup(() => b.stop())
    await Promise.all([a.ready('/health'), b.ready('/health')])

    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const browser: Browser = await launchChromium()
    cleanup(() => browser.close())
    const pages: Page[] = [await pageAs(browser, alice!, a.url), await pageAs(browser, bob!, b.url)]
    cleanup(() => closePages(pages))

    await startCallFrom(pages[0]!, channel.id, 'video')
    await acceptRing(pages[1]!)
    for (const page of pages) {
      await until(() => peerStats(page), receivingEverything(1), 30_000, 'audio and video across instances')
    }
  })
    .timeout(120_000)
    .skip(...printedSkip(!redisUp, 'no Redis on this machine'))
})

test.group('Chromium behind nginx in plain round robin', (group) => {
  withCleanDatabase(group)

  test("pages through one address, no stickiness: bob's page subscribes, gets alice's message live, her ring, and the call connects", async ({ assert, cleanup }) => {
    const a = pageServingInstance(3425, 24721)
    const b = pageServingInstance(3426, 24722)
    cleanup(() => a.stop())
    cleanup(() => b.stop())
    await Promise.all([a.ready('/health'), b.ready('/health')])
    const proxy = await new Nginx(app.tmpPath('nginx-browser'), 3424, [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]).start()
    cleanup(() => proxy.stop())

    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const browser: Browser = await launchChromium()
    cleanup(() => browser.close())
    const pages: Page[] = [await pageAs(browser, alice!, proxy.url), await pageAs(browser, bob!, proxy.url)]
    cleanup(() => closePages(pages))
    const [alicePage, bobPage] = pages as [Page, Page]

    // Round robin sends the page's requests to both instances in turn, its subscribes included.
    const subscribes: number[] = []
    bobPage.on('response', (response) => {
      if (response.url().endsWith('/__transmit/subscribe')) subscribes.push(response.status())
    })
    await bobPage.goto(`/channels/${channel.id}`)
    await until(async () => subscribes, (statuses) => statuses.length >= 2, 15_000, "bob's page to subscribe (ring inbox and channel)")
    assert.deepEqual(subscribes, subscribes.map(() => 204))

    await alicePage.goto(`/channels/${channel.id}`)
    await alicePage.fill('#composer-body', 'live through the proxy')
    await alicePage.click('.composer button[type=submit]')
    await bobPage.waitForSelector('.message__body:text("live through the proxy")', { timeout: 10_000 })

    await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)
    for (const page of pages) {
      await until(() => peerStats(page), receivingEverything(1), 30_000, 'audio and video through the proxy')
    }
  })
    .timeout(120_000)
    .skip(...printedSkip(!redisUp || !Nginx.available(), 'needs Redis and nginx'))
})
