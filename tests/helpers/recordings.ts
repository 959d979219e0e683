import { cp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import recordingConfig from '#config/recording'
import Recording from '#models/recording'
import RecordingTrack from '#models/recording_track'

const FIXTURES = app.makePath('tests/fixtures/recording')

/** What scripts/record_call_fixtures.ts measured while Janus recorded the fixtures. */
export async function recordingFixtureManifest(): Promise<{ startedMs: Record<string, number>; recordedMs: number; files: string[] }> {
  return JSON.parse(await readFile(join(FIXTURES, 'manifest.json'), 'utf8'))
}

/**
 * A stopped recording of `callId` waiting for post-processing, whose tracks are the real Janus
 * recordings of tests/fixtures/recording (alice's and bob's publishers), copied where Janus
 * would have written them: what StopRecording leaves behind.
 */
export async function pendingRecordingFromFixtures(callId: number, startedById: number, people: { alice: number; bob: number }) {
  const recording = await Recording.create({ callId, startedById, state: 'processing', startedAt: DateTime.now(), stoppedAt: DateTime.now(), attempts: 0 })
  const dir = join(recordingConfig.workPath, String(recording.id))
  await cp(FIXTURES, dir, { recursive: true, filter: (source) => !source.endsWith('manifest.json') })
  for (const [name, userId] of Object.entries(people)) {
    await RecordingTrack.create({ recordingId: recording.id, userId, basePath: join(dir, name), startedAt: DateTime.now() })
  }
  return recording
}

/** Empties the recordings' work folder and stored files, between tests. */
export function withCleanRecordings(group: { each: { setup: (fn: () => Promise<void>) => void } }) {
  group.each.setup(async () => {
    await rm(recordingConfig.workPath, { recursive: true, force: true })
    await rm(app.makePath(process.env.MEDIA_STORAGE_PATH ?? 'storage', 'recordings'), { recursive: true, force: true })
  })
}
