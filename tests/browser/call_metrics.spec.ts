import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import CallQuality from '#models/call_quality'
import { Coturn } from '#tests/helpers/coturn'
import { startRelayOnlyServer } from '#tests/helpers/relay_server'
import { printedSkip } from '#tests/helpers/services'
import { scrapeMetrics } from '#tests/helpers/metrics'
import { withCleanDatabase } from '#tests/helpers/world'
import { chromiumForGroup, connectedPairOn, cspViolations, until } from '#tests/helpers/browser'
import { formatMs } from '#helpers/quality_text'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Both pages' first quality reports, as the server stored them (one row per side of the call). */
function firstReports(callId: number) {
  return until(() => CallQuality.query().where('call_id', callId).orderBy('user_id'), (rows) => rows.length === 2, 15_000, 'both pages to report')
}

/** A figure of the Activity page, as the page shows it. */
function figure(page: Page, name: string) {
  return page.locator(`[data-figure="${name}"] dd`).innerText()
}

test.group('Call metrics from real browsers', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('a two-person call: one answered ring, one connect time, host pairs; the Activity page shows it, to the admin only', async ({ assert }) => {
    const before = await scrapeMetrics(baseUrl())
    const { alice, bob, alicePage, bobPage, callId } = await connectedPairOn(open, baseUrl())
    const rows = await firstReports(callId)
    const after = await scrapeMetrics(baseUrl())

    assert.equal(after.delta(before, 'confab_rings_total', { outcome: 'answered' }), 1)
    // Only bob, who joined after alice, measures the time from his Accept to her first media.
    assert.equal(after.delta(before, 'confab_call_connect_seconds_count'), 1)
    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'host' }), 2)
    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'relay' }), 0)
    const [fromAlice, fromBob] = alice.id < bob.id ? rows : [rows[1]!, rows[0]!]
    assert.equal(fromBob!.userId, bob.id)
    assert.isNull(fromAlice!.connectMs)
    assert.isAbove(fromBob!.connectMs!, 0)
    assert.closeTo(after.delta(before, 'confab_call_connect_seconds_sum'), fromBob!.connectMs! / 1000, 1e-6)
    for (const row of rows) assert.deepEqual([row.localCandidateType, row.relayed], ['host', false])

    // The Activity page with this call's data: alice is the admin, bob is not.
    await alice.merge({ isAdmin: true }).save()
    const activity = await alicePage.context().newPage()
    await activity.goto('/admin/activity')
    assert.equal(await figure(activity, 'calls-today'), '1')
    assert.equal(await figure(activity, 'answer-rate'), '100%')
    assert.equal(await figure(activity, 'median-connect'), formatMs(fromBob!.connectMs))
    assert.equal(await figure(activity, 'turn-share'), '0%')
    const row = activity.locator(`#worst-calls tr[data-call-id="${callId}"]`)
    assert.isTrue(await row.isVisible())
    const ids = [alice.id, bob.id].sort((a, b) => a - b)
    assert.include(await row.innerText(), `participant #${ids[0]}, participant #${ids[1]}`)
    assert.notInclude(await row.innerText(), bob.fullName)
    const today = activity.locator('.chart__bar-group').last()
    assert.equal(await today.getAttribute('data-value'), '1')
    assert.equal(await today.locator('.chart__value').textContent(), '1')
    assert.deepEqual(await cspViolations(activity), [], 'the server-drawn chart needs nothing from the policy')

    await row.getByRole('link').click()
    await activity.waitForURL(`**/admin/activity/calls/${callId}`)
    assert.equal(await activity.locator(`#call-connections tr[data-user-id="${bob.id}"] td`).first().innerText(), bob.fullName)

    const notForBob = await bobPage.context().newPage()
    const response = await notForBob.goto('/admin/activity')
    assert.equal(response?.status(), 404)
    assert.isTrue(await notForBob.getByRole('heading', { name: 'Not found' }).isVisible())
    assert.equal(await bobPage.locator('[data-nav="activity"]').count(), 0)
  })

  test('with relay forced through coturn: relay pairs', async ({ assert, cleanup }) => {
    // Ports of this spec's own (3460-3469): coturn, a second Confab server and its Vite HMR socket.
    const { server } = await startRelayOnlyServer({ app: 3460, viteHmr: 3461, turn: 3469 }, cleanup)

    const before = await scrapeMetrics(server.url)
    const { callId } = await connectedPairOn(open, server.url)
    const rows = await firstReports(callId)
    const after = await scrapeMetrics(server.url)

    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'relay' }), 2)
    assert.equal(after.delta(before, 'confab_peer_connections_total', { candidate_type: 'host' }), 0)
    assert.equal(after.delta(before, 'confab_call_connect_seconds_count'), 1)
    for (const row of rows) assert.deepEqual([row.localCandidateType, row.relayed], ['relay', true])
  })
    .timeout(90_000)
    .skip(...printedSkip(!Coturn.available(), 'coturn is not installed (apt-get install -y coturn)'))
})
