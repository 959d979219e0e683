import { test } from '@japa/runner'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, endForEveryone, snapshot, startCall } from '#tests/helpers/calls'

/** An htmx refresh of the element `target`, as `hx-get` on that element sends it. */
const fromHtmx = { 'HX-Request': 'true' }

test.group('Calls: htmx fragments and the URLs the page is given', (group) => {
  withCleanDatabase(group)

  test("the room's participant list refreshes from the room's own route: the fragment alone", async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    await accept(client, bob!, callId)

    const list = await client.get(`/calls/${callId}`).headers({ ...fromHtmx, 'HX-Target': 'call-participants' }).loginAs(alice!)
    list.assertStatus(200)
    const html = list.text()
    assert.match(html.trim(), /^<ul id="call-participants"[^>]* hx-get="\/calls\/\d+"/)
    assert.notInclude(html, '<html')
    assert.notInclude(html, 'End for everyone')
    assert.include(html, `data-user-id="${bob!.id}" data-status="joined"`)
    assert.include(list.header('vary') ?? '', 'HX-Target')

    // Any other request to the route is the whole room.
    const page = await client.get(`/calls/${callId}`).headers(fromHtmx).loginAs(alice!)
    assert.include(page.text(), '<html')
    assert.include(page.text(), 'id="call-participants"')
    // The room's participant list no longer has a route of its own.
    ;(await client.get(`/calls/${callId}/participants`).loginAs(alice!)).assertStatus(404)
  })

  test("the channel's call banner refreshes from the channel's own route: the fragment alone, empty when no call is live", async ({ client, assert }) => {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const banner = await client.get(`/channels/${channel.id}`).headers({ ...fromHtmx, 'HX-Target': 'call-banner' }).loginAs(bob!)
    banner.assertStatus(200)
    const html = banner.text()
    assert.match(html.trim(), new RegExp(`^<div id="call-banner"[^>]* hx-get="/channels/${channel.id}"`))
    assert.notInclude(html, '<html')
    assert.notInclude(html, 'id="messages"')
    assert.include(html, 'Video call in progress · 1 person in it')
    assert.include(html, `hx-post="/calls/${callId}/participation"`)
    ;(await client.get(`/channels/${channel.id}`).headers({ ...fromHtmx, 'HX-Target': 'call-banner' }).loginAs(mallory!)).assertStatus(404)

    await endForEveryone(client, alice!, callId)
    const empty = await client.get(`/channels/${channel.id}`).headers({ ...fromHtmx, 'HX-Target': 'call-banner' }).loginAs(bob!)
    assert.notInclude(empty.text(), 'call-banner__text')
    assert.include(empty.text(), 'id="call-banner"')
    ;(await client.get(`/channels/${channel.id}/calls/live`).loginAs(bob!)).assertStatus(404)
  })

  test("Accept posts as htmx does: the server answers with the room's address, or the reason it cannot", async ({ client, assert }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const accepted = await client.post(`/calls/${callId}/participation`).headers(fromHtmx).loginAs(bob!).withCsrfToken().redirects(0)
    accepted.assertStatus(204)
    assert.equal(accepted.header('hx-redirect'), `/calls/${callId}`)
    assert.equal((await snapshot(callId)).statuses[bob!.id], 'joined')

    await endForEveryone(client, alice!, callId)
    const late = await client.post(`/calls/${callId}/participation`).headers(fromHtmx).loginAs(carol!).withCsrfToken().redirects(0)
    late.assertStatus(409)
    assert.isUndefined(late.header('hx-redirect'))
    assert.equal(late.body().errors[0].code, 'E_CALL_CONFLICT')
  })

  test('the page hands its components the URLs urlFor built, not paths they make up', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const channelPage = (await client.get(`/channels/${channel.id}`).loginAs(alice!)).text()
    assert.include(channelPage, `channelStream({ channelId: ${channel.id}, readMarkerUrl: '/channels/${channel.id}/read_marker' })`)
    assert.include(
      channelPage,
      `ringingUrl: '/calls/ringing', acceptUrl: '/calls/CALL_ID/participation', declineUrl: '/calls/CALL_ID/decline'`
    )
    const room = (await client.get(`/calls/${callId}`).loginAs(alice!)).text()
    assert.include(room, `callMedia({ callId: ${callId}, kind: 'video', signalPath: '/calls/${callId}/signal', qualityReportsUrl: '/calls/${callId}/quality_reports' })`)
    // alice is in the call: every page's dock names it, with the room and the way out (the
    // attribute is escaped as a whole: its quotes come as &#x27;).
    assert.include(
      channelPage.replaceAll('&#x27;', "'"),
      `callDock({ call: { callId: ${callId}, kind: 'video', signalPath: '/calls/${callId}/signal', qualityReportsUrl: '/calls/${callId}/quality_reports', roomUrl: '/calls/${callId}', leaveUrl: '/calls/${callId}/participation' } })`
    )
    // bob is only rung: his pages have an empty dock.
    const bobsPage = (await client.get(`/channels/${channel.id}`).loginAs(bob!)).text()
    assert.include(bobsPage, 'callDock({ call: null })')
  })
})
