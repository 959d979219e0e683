import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import recordingConfig from '#config/recording'
import Recording from '#models/recording'
import recordingJobs from '#recording/recording_jobs'
import { probe } from '#recording/post_processor'
import { recordingTools } from '#recording/recording_tools'
import { deleteExpiredRecordings } from '#recording/recording_retention'
import { AppProcess } from '#tests/helpers/app_process'
import { accept, startCall } from '#tests/helpers/calls'
import { pendingRecordingFromFixtures, recordingFixtureManifest, withCleanRecordings } from '#tests/helpers/recordings'
import { printedSkip } from '#tests/helpers/services'
import { until } from '#tests/helpers/waiting'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'

const missingTools = recordingTools.missing()
const storedPath = (key: string) => app.makePath(process.env.MEDIA_STORAGE_PATH ?? 'storage', key)

/** alice called bob, both joined; the call's id and the two people. */
async function callOfTwo(client: Parameters<typeof startCall>[0]) {
  const [alice, bob] = await people(2)
  const channel = await channelWith([alice!, bob!])
  const callId = (await startCall(client, alice!, channel)).body().call.id as number
  await accept(client, bob!, callId)
  return { callId, alice: alice!, bob: bob! }
}

/** The brightest pixel (0-255) of one tile of the mixed video at `seconds`: ~0 for a black tile. */
async function tileBrightest(path: string, seconds: number, column: number) {
  const { width, height } = recordingConfig.tile
  const crop = `crop=${width}:${height}:${column * width}:0,format=gray`
  const { execFile } = await import('node:child_process')
  const pixels: Buffer = await new Promise((resolve, reject) =>
    execFile(recordingTools.ffmpeg, ['-v', 'error', '-ss', String(seconds), '-i', path, '-frames:v', '1', '-vf', crop, '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 1 << 24 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout)
    )
  )
  return pixels.reduce((max, value) => Math.max(max, value), 0)
}

test.group('Call recording: post-processing real Janus recordings', (group) => {
  withCleanDatabase(group)
  withCleanRecordings(group)

  test('the .mjr files of two publishers become one WebM: their audio mixed, their videos side by side, aligned by start', async ({ client, assert }) => {
    const { callId, alice, bob } = await callOfTwo(client)
    const pending = await pendingRecordingFromFixtures(callId, alice.id, { alice: alice.id, bob: bob.id })
    const started = Date.now()
    await recordingJobs.kick()
    const recording = await Recording.findOrFail(pending.id)
    assert.equal(recording.state, 'ready', recording.failure ?? '')
    console.log(`Post-processing of two 3-4.7 s publishers: ${Date.now() - started} ms`)

    const file = storedPath(recording.storageKey!)
    const facts = await probe(file)
    const manifest = await recordingFixtureManifest()
    const expectedMs = manifest.recordedMs - Math.min(...Object.values(manifest.startedMs))
    assert.approximately(facts.durationMs, expectedMs, 1000)
    assert.approximately(recording.durationMs!, facts.durationMs, 1)
    assert.isTrue(facts.audio)
    assert.deepEqual([facts.width, facts.height], [2 * recordingConfig.tile.width, recordingConfig.tile.height], 'two tiles')
    // bob published ~1.7 s after alice: his tile is black before that, not after.
    const bobLate = (manifest.startedMs.bob - manifest.startedMs.alice) / 1000
    assert.isBelow(await tileBrightest(file, bobLate / 2, 1), 10, "bob's tile before he started")
    assert.isAbove(await tileBrightest(file, bobLate / 2, 0), 60, "alice's tile then")
    assert.isAbove(await tileBrightest(file, bobLate + 1, 1), 60, "bob's tile once he started")
    assert.approximately(recording.expiresAt!.diff(DateTime.now(), 'days').days, recordingConfig.retentionDays, 0.01)
    assert.isFalse(existsSync(join(recordingConfig.workPath, String(recording.id))), 'the work folder is emptied')
  })
    .timeout(120_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))

  test('a recording nobody agreed to ends failed, with the reason, and no file', async ({ client, assert }) => {
    const { callId, alice } = await callOfTwo(client)
    const recording = await Recording.create({ callId, startedById: alice.id, state: 'processing', startedAt: DateTime.now(), attempts: 0 })
    await recordingJobs.kick()
    await recording.refresh()
    assert.equal(recording.state, 'failed')
    assert.match(recording.failure!, /Nobody agreed/)
    assert.isNull(recording.storageKey)
  })

  test('the retention job deletes file and record once RECORDING_RETENTION_DAYS have passed, not before', async ({ client, assert }) => {
    const { callId, alice, bob } = await callOfTwo(client)
    const pending = await pendingRecordingFromFixtures(callId, alice.id, { alice: alice.id, bob: bob.id })
    await recordingJobs.kick()
    const recording = await Recording.findOrFail(pending.id)
    const file = storedPath(recording.storageKey!)
    assert.isTrue(existsSync(file))

    assert.equal(await deleteExpiredRecordings(DateTime.now().plus({ days: recordingConfig.retentionDays - 1 })), 0)
    assert.isNotNull(await Recording.find(recording.id))
    assert.equal(await deleteExpiredRecordings(DateTime.now().plus({ days: recordingConfig.retentionDays, minutes: 1 })), 1)
    assert.isNull(await Recording.find(recording.id))
    assert.isFalse(existsSync(file), 'the file is gone too')
  })
    .timeout(120_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))

  test('a Confab process killed during post-processing leaves the job pending; the next one finishes it at boot', async ({ client, assert, cleanup }) => {
    const { callId, alice, bob } = await callOfTwo(client)
    const pending = await pendingRecordingFromFixtures(callId, alice.id, { alice: alice.id, bob: bob.id })
    const mixed = join(recordingConfig.workPath, String(pending.id), 'attempt-1', 'mixed.webm')

    const first = new AppProcess(4072, {})
    cleanup(() => first.stop())
    // ffmpeg creates its output as it starts: the job is mid-way when it exists.
    await until(async () => existsSync(mixed), (found) => found, 60_000, 'the first process started mixing')
    await first.kill()
    const interrupted = await Recording.findOrFail(pending.id)
    assert.equal(interrupted.state, 'processing')
    assert.equal(interrupted.attempts, 1)

    const second = new AppProcess(4073, {})
    cleanup(() => second.stop())
    const done = await until(() => Recording.findOrFail(pending.id), (row) => row.state !== 'processing', 90_000, 'the second process finished the job')
    assert.equal(done.state, 'ready', done.failure ?? '')
    assert.equal(done.attempts, 2)
    assert.isTrue(existsSync(storedPath(done.storageKey!)))
    assert.isAbove((await probe(storedPath(done.storageKey!))).durationMs, 3000)
  })
    .timeout(240_000)
    .skip(...printedSkip(missingTools !== null, `post-processing needs ffmpeg and janus-pp-rec: ${missingTools}`))
})
