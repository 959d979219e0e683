import { test } from '@japa/runner'
import Call from '#models/call'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { accept, decline, endForEveryone, leave, snapshot, startCall } from '#tests/helpers/calls'

test.group('Calls: who may do what', (group) => {
  withCleanDatabase(group)

  test('a non-member gets 404 on every call route and changes nothing', async ({ client, assert }) => {
    const [alice, bob, mallory] = await people(3)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    const before = await snapshot(callId)

    ;(await client.get(`/calls/${callId}`).loginAs(mallory!)).assertStatus(404)
    ;(await client.get(`/calls/${callId}`).loginAs(mallory!).accept('json')).assertStatus(404)
    // The participant list's htmx refresh, served by the room's own route.
    ;(await client.get(`/calls/${callId}`).header('HX-Request', 'true').header('HX-Target', 'call-participants').loginAs(mallory!)).assertStatus(404)
    ;(await accept(client, mallory!, callId)).assertStatus(404)
    ;(await decline(client, mallory!, callId)).assertStatus(404)
    ;(await leave(client, mallory!, callId)).assertStatus(404)
    ;(await endForEveryone(client, mallory!, callId)).assertStatus(404)
    ;(await startCall(client, mallory!, channel)).assertStatus(404)

    const after = await snapshot(callId)
    assert.deepEqual(after.statuses, before.statuses)
    assert.equal(after.call.status, 'ringing')
  })

  test('without a session every call route answers 401 (JSON) or sends to the login page', async ({ client }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    ;(await client.get(`/calls/${callId}`).accept('json')).assertStatus(401)
    ;(await client.post(`/calls/${callId}/participation`).accept('json').withCsrfToken()).assertStatus(401)
    ;(await client.get('/calls/ringing').accept('json')).assertStatus(401)
    const page = await client.get(`/calls/${callId}`).redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/login')
  })

  test('ids that are not numbers never reach a call', async ({ client }) => {
    const [alice] = await people(1)
    ;(await client.get('/calls/abc').loginAs(alice!)).assertStatus(404)
    ;(await client.post('/calls/1e3/participation').loginAs(alice!).accept('json').withCsrfToken()).assertStatus(404)
  })

  test('leaving a call I am not in is a 409', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    const response = await leave(client, bob!, callId)
    response.assertStatus(409)
    assert.equal(response.body().errors[0].message, 'You are not in this call.')
  })
})

test.group('Calls: the room page', (group) => {
  withCleanDatabase(group)

  test('shows the call, its people and the controls that apply to me', async ({ client }) => {
    const [alice, bob, carol] = await people(3)
    const channel = await channelWith([alice!, bob!, carol!])
    const callId = (await startCall(client, alice!, channel, 'video')).body().call.id
    await accept(client, bob!, callId)
    await decline(client, carol!, callId)

    const initiatorView = await client.get(`/calls/${callId}`).loginAs(alice!)
    initiatorView.assertStatus(200)
    initiatorView.assertTextIncludes(`Video call in #${channel.name}`)
    initiatorView.assertTextIncludes('End for everyone')
    initiatorView.assertTextIncludes(`data-user-id="${carol!.id}" data-status="declined"`)
    initiatorView.assertTextIncludes(`data-user-id="${bob!.id}" data-status="joined"`)

    const bobView = await client.get(`/calls/${callId}`).loginAs(bob!)
    bobView.assertTextIncludes('>Leave</button>')
    const { assertExcludes } = await import('#tests/helpers/assertions')
    assertExcludes(bobView, 'End for everyone')
  })
})

test.group('Calls: ringing now', (group) => {
  withCleanDatabase(group)

  test('GET /calls/ringing lists only the rings still live by the server clock', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const first = await channelWith([alice!, bob!])
    const second = await channelWith([alice!, bob!])
    const live = (await startCall(client, alice!, first)).body().call.id
    const stale = (await startCall(client, alice!, second)).body().call.id
    // Past its deadline but not swept yet: a waking tab must not show it.
    const call = await Call.findOrFail(stale)
    call.ringExpiresAt = call.ringExpiresAt!.minus({ minutes: 5 })
    await call.save()

    const response = await client.get('/calls/ringing').loginAs(bob!).accept('json')

    response.assertStatus(200)
    assert.deepEqual(response.body().rings.map((ring: any) => ring.callId), [live])
    assert.equal(response.body().rings[0].caller.name, alice!.fullName)
    const none = await client.get('/calls/ringing').loginAs(alice!).accept('json')
    assert.deepEqual(none.body().rings, [])
  })
})
