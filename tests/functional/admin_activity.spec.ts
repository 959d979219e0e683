import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import User from '#models/user'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, decline, startCall } from '#tests/helpers/calls'
import { activityFigure, chartValue } from '#tests/helpers/activity_page'

function signUp(client: ApiClient, name: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`
  return client
    .post('/signup')
    .form({ fullName: name, email, password: 'a long secret', passwordConfirmation: 'a long secret' })
    .withCsrfToken()
    .redirects(0)
}

function report(client: ApiClient, user: User, callId: number, body: Record<string, unknown>) {
  return client.post(`/calls/${callId}/quality_reports`).loginAs(user).accept('json').json(body).withCsrfToken()
}

test.group('Admins', (group) => {
  withCleanDatabase(group)

  test('the first account signed up is an admin; the ones after it are not', async ({ client, assert }) => {
    ;(await signUp(client, 'Erin Walsh')).assertStatus(302)
    ;(await signUp(client, 'Frank Moss')).assertStatus(302)
    const [erin, frank] = await User.query().orderBy('id')
    assert.isTrue(erin!.isAdmin)
    assert.isFalse(frank!.isAdmin)
  })

  test('sign-ups racing on an empty database make exactly one admin', async ({ client, assert }) => {
    const names = ['Gina Park', 'Hugo Lind', 'Ines Roy', 'Jon Bell', 'Kim Soto']
    const responses = await Promise.all(names.map((name) => signUp(client, name)))
    for (const response of responses) response.assertStatus(302)
    const users = await User.all()
    assert.lengthOf(users, names.length)
    assert.lengthOf(users.filter((user) => user.isAdmin), 1)
  })

  test('for everyone else the Activity pages do not exist: 404, no link', async ({ client, assert }) => {
    const [admin, member] = await people(2)
    await admin!.merge({ isAdmin: true }).save()
    const channel = await channelWith([admin!, member!])
    const callId = (await startCall(client, admin!, channel)).body().call.id

    const unknown = await client.get('/no-such-page').loginAs(member!)
    for (const path of ['/admin/activity', `/admin/activity/calls/${callId}`]) {
      const page = await client.get(path).loginAs(member!)
      page.assertStatus(404)
      assert.include(page.text(), '<h1>Not found</h1>')
      assert.equal(page.text().match(/<h1>.*<\/h1>/)?.[0], unknown.text().match(/<h1>.*<\/h1>/)?.[0])
      ;(await client.get(path).loginAs(member!).accept('json')).assertStatus(404)
    }
    assert.notInclude((await client.get('/channels').loginAs(member!)).text(), 'data-nav="activity"')
    const adminPage = await client.get('/channels').loginAs(admin!)
    assert.include(adminPage.text(), 'data-nav="activity"')
    ;(await client.get('/admin/activity').loginAs(admin!)).assertStatus(200)
  })
})

test.group('The Activity page', (group) => {
  withCleanDatabase(group)

  test('shows today\'s calls, the answer rate, connect times, TURN share and the worst calls by participant id', async ({ client, assert }) => {
    const [admin, bob, carol] = await people(3)
    await admin!.merge({ isAdmin: true }).save()
    const withBob = await channelWith([admin!, bob!])
    const withCarol = await channelWith([admin!, carol!])
    // Answered: bob's browser reports 600 ms through TURN, admin's 900 ms on host.
    const answered = (await startCall(client, admin!, withBob)).body().call.id
    ;(await accept(client, bob!, answered)).assertStatus(200)
    const relay = { localCandidateType: 'relay', remoteCandidateType: 'host' }
    const host = { localCandidateType: 'host', remoteCandidateType: 'host' }
    ;(await report(client, bob!, answered, { ...relay, peerUserId: admin!.id, connectMs: 600, lossPercent: 12.5, rttMs: 300 })).assertStatus(204)
    ;(await report(client, admin!, answered, { ...host, peerUserId: bob!.id, connectMs: 900, lossPercent: 0.5, rttMs: 20 })).assertStatus(204)
    ;(await report(client, admin!, answered, { ...host, peerUserId: bob!.id, connectMs: 300, lossPercent: 1 })).assertStatus(204)
    // Declined: one ring, not answered.
    const declined = (await startCall(client, admin!, withCarol)).body().call.id
    ;(await decline(client, carol!, declined)).assertStatus(200)

    const page = await client.get('/admin/activity').loginAs(admin!)
    page.assertStatus(200)
    const html = page.text()
    assert.equal(activityFigure(html, 'calls-today'), '2')
    assert.equal(activityFigure(html, 'calls-this-week'), '2')
    assert.equal(activityFigure(html, 'answer-rate'), '50%')
    assert.include(html, '1 of 2 rings answered')
    // The first connect time of each connection: 600 and 900 (the later 300 is not a first).
    assert.equal(activityFigure(html, 'median-connect'), '750 ms')
    assert.equal(activityFigure(html, 'turn-share'), '50%')
    assert.include(html, '1 of 2 connections relayed')

    const today = new Date()
    assert.equal(chartValue(html, today), 2, "today's bar")
    assert.lengthOf(html.match(/class="chart__bar-group"/g) ?? [], 14)

    // Only the answered call reported: listed with ids, its worst loss and round trip, no names.
    const worst = html.slice(html.indexOf('id="worst-calls"'))
    assert.include(worst, `data-call-id="${answered}"`)
    assert.notInclude(worst, `data-call-id="${declined}"`)
    assert.include(worst, `participant #${admin!.id}, participant #${bob!.id}`)
    assert.include(worst, '12.5%')
    assert.include(worst, '300 ms')
    for (const person of [admin!, bob!, carol!]) assert.notInclude(worst, person.fullName)

    const detail = await client.get(`/admin/activity/calls/${answered}`).loginAs(admin!)
    detail.assertStatus(200)
    const connection = detail.text().slice(detail.text().indexOf(`data-user-id="${bob!.id}" data-peer-user-id="${admin!.id}"`))
    assert.include(detail.text(), bob!.fullName)
    assert.match(connection, new RegExp(`<td>${bob!.fullName}</td>\\s*<td>${admin!.fullName}</td>\\s*<td>600 ms</td>\\s*<td>relay / host</td>`))
  })

  test('an empty installation shows zeros and dashes, not errors', async ({ client, assert }) => {
    const [admin] = await people(1)
    await admin!.merge({ isAdmin: true }).save()
    const html = (await client.get('/admin/activity').loginAs(admin!)).text()
    assert.equal(activityFigure(html, 'calls-today'), '0')
    assert.equal(activityFigure(html, 'answer-rate'), '–')
    assert.equal(activityFigure(html, 'median-connect'), '–')
    assert.include(html, 'No call has reported its quality in the last 7 days.')
  })
})
