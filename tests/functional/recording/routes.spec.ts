import { existsSync } from 'node:fs'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import recordingConfig from '#config/recording'
import Recording from '#models/recording'
import RecordingConsent from '#models/recording_consent'
import sfuRooms from '#sfu/main'
import recordingJobs from '#recording/recording_jobs'
import { recordingTools } from '#recording/recording_tools'
import { JanusNamespace, JanusServer, janusForGroup } from '#tests/helpers/janus'
import { accept, callAction, endForEveryone, startCall } from '#tests/helpers/calls'
import { pendingRecordingFromFixtures, withCleanRecordings } from '#tests/helpers/recordings'
import { printedSkip } from '#tests/helpers/services'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'

type Client = Parameters<typeof startCall>[0]
const janus = JanusNamespace.availableForTests()
const missingTools = recordingTools.missing()
const cannotRecord = janus.missing || missingTools !== null
const whyNot = janus.missing ? janus.reason : `recording needs ffmpeg and janus-pp-rec: ${missingTools}`

/** alice called bob (both in it); carol and mallory are members of the channel who did not join. */
async function liveCall(client: Client) {
  const [alice, bob, carol, mallory] = await people(4)
  const channel = await channelWith([alice!, bob!, carol!, mallory!])
  const callId = (await startCall(client, alice!, channel)).body().call.id as number
  await accept(client, bob!, callId)
  return { callId, channel, alice: alice!, bob: bob!, carol: carol!, mallory: mallory! }
}

const startRecording = (client: Client, user: any, callId: number) => callAction(client, user, 'post', `/calls/${callId}/recording`)
const stopRecording = (client: Client, user: any, callId: number) => callAction(client, user, 'delete', `/calls/${callId}/recording`)
const answer = (client: Client, user: any, recordingId: number, body: Record<string, unknown>) =>
  callAction(client, user, 'post', `/recordings/${recordingId}/consent`).json(body)

test.group('Call recording routes: start, consent, stop (a real Janus)', (group) => {
  withCleanDatabase(group)
  withCleanRecordings(group)
  const server = new JanusServer('tmp', { wsPort: 3562, rtpPorts: '20000-20050' })
  janusForGroup(group, [server])
  group.each.setup(async () => {
    if (cannotRecord) return
    await sfuRooms.use([server.url], { apiSecret: server.apiSecret }, 5)
    await sfuRooms.servers[0]!.connection.ready()
  })
  group.each.teardown(() => sfuRooms.close())

  test('the initiator starts it: the mesh call gets its Janus room, everyone in the call is asked, nobody is recorded yet', async ({ client, assert }) => {
    const { callId, alice, bob } = await liveCall(client)
    const response = await startRecording(client, alice, callId)
    response.assertStatus(201)
    const { recording } = response.body()
    assert.equal(recording.startedBy, alice.id)
    assert.sameMembers(recording.consents.map((consent: any) => [consent.userId, consent.consented].join()), [`${alice.id},`, `${bob.id},`])
    assert.deepEqual(recording.recorded, [])
    const { default: Call } = await import('#models/call')
    assert.isNotNull((await Call.findOrFail(callId)).sfuRoomId, 'the call moved to the SFU')
    // Every member of the channel can read the state (the indicator), as the SSE event shows it.
    ;(await client.get(`/calls/${callId}/recording`).loginAs(bob).accept('json')).assertBodyContains({ recording: { id: recording.id } })
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('who may start: not someone else in the call (CALL_RECORDING=initiator), not a member outside it, not a stranger (404); anyone in it with CALL_RECORDING=anyone', async ({ client, assert, cleanup }) => {
    const { callId, bob, mallory } = await liveCall(client)
    const [stranger] = await people(1)
    ;(await startRecording(client, bob, callId)).assertStatus(403)
    ;(await startRecording(client, mallory, callId)).assertStatus(403)
    ;(await startRecording(client, stranger!, callId)).assertStatus(404)
    assert.equal((await Recording.query().where('call_id', callId)).length, 0)

    recordingConfig.who = 'anyone'
    cleanup(() => {
      recordingConfig.who = 'initiator'
    })
    ;(await startRecording(client, mallory, callId)).assertStatus(403)
    ;(await startRecording(client, bob, callId)).assertStatus(201)
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('a second start while one runs is 409; so is recording an ended call; CALL_RECORDING=off is 403', async ({ client, assert, cleanup }) => {
    const { callId, alice } = await liveCall(client)
    ;(await startRecording(client, alice, callId)).assertStatus(201)
    const again = await startRecording(client, alice, callId)
    again.assertStatus(409)
    assert.match(again.body().errors[0].message, /already being recorded/)

    const other = await liveCall(client)
    recordingConfig.who = 'off'
    cleanup(() => {
      recordingConfig.who = 'initiator'
    })
    const off = await startRecording(client, other.alice, other.callId)
    off.assertStatus(403)
    assert.match(off.body().errors[0].message, /turned off/)
    recordingConfig.who = 'initiator'

    ;(await endForEveryone(client, other.alice, other.callId)).assertStatus(200)
    const ended = await startRecording(client, other.alice, other.callId)
    ended.assertStatus(409)
    assert.match(ended.body().errors[0].message, /already ended/)
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('consent: answered once (a second answer, even the same, is 409); a yes is listed as recorded; a body without an answer is 422; someone never in the call gets 404', async ({ client, assert }) => {
    const { callId, alice, bob, mallory } = await liveCall(client)
    const { id } = (await startRecording(client, alice, callId)).body().recording
    ;(await answer(client, bob, id, {})).assertStatus(422)
    ;(await answer(client, bob, id, { consented: 'perhaps' })).assertStatus(422)
    ;(await answer(client, bob, id, { consented: true })).assertStatus(200)
    const twice = await answer(client, bob, id, { consented: true })
    twice.assertStatus(409)
    assert.match(twice.body().errors[0].message, /already answered/)
    ;(await answer(client, bob, id, { consented: false })).assertStatus(409)
    ;(await answer(client, alice, id, { consented: false })).assertStatus(200)
    ;(await answer(client, mallory, id, { consented: true })).assertStatus(404)

    const consents = await RecordingConsent.query().where('recording_id', id).orderBy('user_id')
    assert.deepEqual(consents.map((consent) => [consent.userId, consent.consented]), [[alice.id, false], [bob.id, true]].sort((a, b) => Number(a[0]) - Number(b[0])))
    const state = (await client.get(`/calls/${callId}/recording`).loginAs(mallory).accept('json')).body().recording
    assert.deepEqual(state.recorded.map((person: any) => person.userId), [bob.id])
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('someone who joins after the start is asked too, and can answer', async ({ client, assert }) => {
    const { callId, alice, carol } = await liveCall(client)
    const { id } = (await startRecording(client, alice, callId)).body().recording
    ;(await answer(client, carol, id, { consented: true })).assertStatus(404)
    await accept(client, carol, callId)
    ;(await answer(client, carol, id, { consented: true })).assertStatus(200)
    assert.isTrue((await RecordingConsent.findByOrFail({ recordingId: id, userId: carol.id })).consented)
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('stop: not by someone else in the call (403); by the initiator it becomes the pending job; stopping twice or answering after is 409', async ({ client, assert, cleanup }) => {
    const { callId, alice, bob } = await liveCall(client)
    const { id } = (await startRecording(client, alice, callId)).body().recording
    ;(await stopRecording(client, bob, callId)).assertStatus(403)
    // The job itself is tested in post_processing.spec.ts; here nobody consented, so it fails fast.
    const stopped = await stopRecording(client, alice, callId)
    stopped.assertStatus(200)
    assert.include(['processing', 'failed'], stopped.body().recording.state)
    cleanup(() => recordingJobs.kick())
    ;(await stopRecording(client, alice, callId)).assertStatus(409)
    ;(await answer(client, bob, id, { consented: true })).assertStatus(409)
  }).skip(...printedSkip(cannotRecord, whyNot))

  test('the end of the call stops its recording', async ({ client, assert }) => {
    const { callId, alice } = await liveCall(client)
    const { id } = (await startRecording(client, alice, callId)).body().recording
    ;(await endForEveryone(client, alice, callId)).assertStatus(200)
    await recordingJobs.kick()
    const recording = await Recording.findOrFail(id)
    assert.notEqual(recording.state, 'recording')
    assert.isNotNull(recording.stoppedAt)
  }).skip(...printedSkip(cannotRecord, whyNot))
})

test.group('Call recording routes: without a media server', (group) => {
  withCleanDatabase(group)

  test('starting answers 503 and says why (no Janus configured)', async ({ client, assert }) => {
    const { callId, alice } = await liveCall(client)
    const response = await startRecording(client, alice, callId)
    response.assertStatus(503)
    assert.match(response.body().errors[0].message, /media server/)
    assert.equal((await Recording.query().where('call_id', callId)).length, 0)
  })
})

test.group('Call recording routes: the finished file', (group) => {
  withCleanDatabase(group)
  withCleanRecordings(group)

  /** A finished recording of alice and bob's call, made from the Janus fixtures. */
  async function finished(client: Client) {
    const world = await liveCall(client)
    await endForEveryone(client, world.alice, world.callId)
    const pending = await pendingRecordingFromFixtures(world.callId, world.alice.id, { alice: world.alice.id, bob: world.bob.id })
    await recordingJobs.kick()
    return { ...world, recording: await Recording.findOrFail(pending.id) }
  }

  test('listed for the people who were in the call, not for a member who was not (404), nor a stranger', async ({ client, assert }) => {
    const { callId, bob, mallory, recording } = await finished(client)
    const [stranger] = await people(1)
    const listed = await client.get(`/calls/${callId}/recordings`).loginAs(bob).accept('json')
    listed.assertStatus(200)
    assert.deepEqual(listed.body().recordings.map((entry: any) => [entry.id, entry.state, entry.url]), [[recording.id, 'ready', `/recordings/${recording.id}/file`]])
    ;(await client.get(`/calls/${callId}/recordings`).loginAs(mallory).accept('json')).assertStatus(404)
    ;(await client.get(`/calls/${callId}/recordings`).loginAs(stranger!).accept('json')).assertStatus(404)
  })
    .timeout(120_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))

  test('the file: whole, or a Range (206), private caching; 404 for a member who was not in the call', async ({ client, assert }) => {
    const { bob, mallory, recording } = await finished(client)
    const whole = await client.get(`/recordings/${recording.id}/file`).loginAs(bob)
    whole.assertStatus(200)
    assert.equal(whole.header('content-type'), 'video/webm')
    assert.equal(whole.header('cache-control'), 'private')
    assert.equal(Number(whole.header('content-length')), recording.byteSize)
    const part = await client.get(`/recordings/${recording.id}/file`).loginAs(bob).header('range', 'bytes=100-199')
    part.assertStatus(206)
    assert.equal(part.header('content-range'), `bytes 100-199/${recording.byteSize}`)
    ;(await client.get(`/recordings/${recording.id}/file`).loginAs(mallory)).assertStatus(404)
  })
    .timeout(120_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))

  test('deleting early: not by another participant (403), nor a non-participant (404); by the recorder, file and record go', async ({ client, assert }) => {
    const { bob, mallory, alice, recording } = await finished(client)
    const file = app.makePath(process.env.MEDIA_STORAGE_PATH ?? 'storage', recording.storageKey!)
    ;(await callAction(client, bob, 'delete', `/recordings/${recording.id}`)).assertStatus(403)
    ;(await callAction(client, mallory, 'delete', `/recordings/${recording.id}`)).assertStatus(404)
    assert.isTrue(existsSync(file))
    ;(await callAction(client, alice, 'delete', `/recordings/${recording.id}`)).assertStatus(204)
    assert.isNull(await Recording.find(recording.id))
    assert.isFalse(existsSync(file))
  })
    .timeout(120_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))
})
