import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
import { AppProcess } from '#tests/helpers/app_process'
import { TEST_REDIS_URL, printedSkip, redisForTests } from '#tests/helpers/services'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, closePages, launchChromium, pageAs, peerStats, receivingEverything, startCallFrom, until } from '#tests/helpers/browser'

const redisUp = await redisForTests()

test.group('Calls across instances in Chromium', (group) => {
  withCleanDatabase(group)

  test("alice's page on instance A, bob's on instance B: they see and hear each other", async ({ cleanup }) => {
    const instance = (port: number, hmrPort: number) =>
      new AppProcess(port, {
        NODE_ENV: 'test',
        SQLITE_PATH: app.tmpPath('test.sqlite3'),
        SESSION_DRIVER: 'database',
        REDIS_URL: TEST_REDIS_URL,
        // Pages need their scripts: Vite's dev server, one HMR port each.
        DEV_MODE: 'true',
        VITE_HMR_PORT: String(hmrPort),
      })
    const a = instance(3395, 24691)
    const b = instance(3396, 24692)
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
