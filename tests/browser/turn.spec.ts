import { test } from '@japa/runner'
import type { Browser, Page } from 'playwright-core'
import { Coturn } from '#tests/helpers/coturn'
import { printedSkip } from '#tests/helpers/services'
import { startRelayOnlyServer } from '#tests/helpers/relay_server'
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
    // A second Confab server configured for TURN only, sharing the test database.
    const { server } = await startRelayOnlyServer({ app: 3392, viteHmr: 24690 }, cleanup)

    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const browser: Browser = await launchChromium()
    cleanup(() => browser.close())
    const pages: Page[] = [await pageAs(browser, alice!, server.url), await pageAs(browser, bob!, server.url)]
    cleanup(() => closePages(pages))

    await startCallFrom(pages[0]!, channel.id, 'video')
    await acceptRing(pages[1]!)

    for (const page of pages) {
      // Media first, then the pair it took (a selected pair is reported a moment after media flows).
      const receiving = receivingEverything(1)
      const [peer] = await until(() => peerStats(page), (peers) => receiving(peers) && peers[0]!.localCandidateType !== null, 30_000, 'media through a selected pair')
      assert.equal(peer!.localCandidateType, 'relay')
    }
  })
    .timeout(90_000)
    .skip(...printedSkip(turnMissing, 'coturn is not installed (apt-get install -y coturn)'))
})
