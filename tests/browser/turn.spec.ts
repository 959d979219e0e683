import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
import { Coturn } from '#tests/helpers/coturn'
import { printedSkip } from '#tests/helpers/services'
import { AppProcess } from '#tests/helpers/app_process'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, closePages, launchChromium, pageAs, peerStats, receivingEverything, startCallFrom, until } from '#tests/helpers/browser'

const turnMissing = !Coturn.available()
if (turnMissing) {
  const message = 'coturn (turnserver) is not installed: apt-get install -y coturn'
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`The TURN test is required (REQUIRE_BROWSER=1). ${message}`)
  console.log(`TURN browser test skipped: ${message}`)
}

test.group('Calls through a TURN relay', (group) => {
  withCleanDatabase(group)

  test('with relay forced, a call connects through a relay candidate pair', async ({ assert, cleanup }) => {
    const turn = await new Coturn(app.tmpPath()).start()
    cleanup(() => turn.stop())
    // A second Confab server configured for TURN only, sharing the test database.
    const server = new AppProcess(3392, {
      NODE_ENV: 'test',
      SQLITE_PATH: app.tmpPath('test.sqlite3'),
      TURN_URLS: turn.url,
      TURN_SECRET: turn.secret,
      TURN_TTL: '600',
      ICE_TRANSPORT_POLICY: 'relay',
      // Serve the page's scripts through Vite's dev server (as `npm run dev` does), on its own HMR port.
      DEV_MODE: 'true',
      VITE_HMR_PORT: '24690',
    })
    cleanup(() => server.stop())
    await server.ready('/health')

    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const browser: Browser = await launchChromium()
    cleanup(() => browser.close())
    const pages: Page[] = [await pageAs(browser, alice!, server.url), await pageAs(browser, bob!, server.url)]
    cleanup(() => closePages(pages))

    await startCallFrom(pages[0]!, channel.id, 'video')
    await acceptRing(pages[1]!)

    for (const page of pages) {
      const [peer] = await until(() => peerStats(page), receivingEverything(1), 30_000, 'media through the relay')
      assert.equal(peer!.localCandidateType, 'relay')
    }
  })
    .timeout(90_000)
    .skip(...printedSkip(turnMissing, 'coturn is not installed (apt-get install -y coturn)'))
})
