import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { Group } from '@japa/runner/core'
import type { BrowserlessClient } from '#tests/helpers/browserless_client'
import { uploadsTmpDir } from '#media/receive_upload'

/** The recordings of tests/fixtures/media/ (scripts/record_media_fixtures.ts) and what was recorded. */
export const FIXTURES = new URL('../fixtures/media/', import.meta.url)
export const fixturePath = (name: string) => new URL(name, FIXTURES).pathname

export type FixtureInfo = { browser: string; reportedType: string; recordedMs: number; video: boolean; bytes: number }
export async function fixtureManifest(): Promise<Record<string, FixtureInfo>> {
  return JSON.parse(await readFile(new URL('manifest.json', FIXTURES), 'utf8'))
}

/**
 * Uploads a recording as the composer does: multipart with `kind` then `media`, the session
 * cookie and the XSRF header (BrowserlessClient). `accept` picks the answer's shape.
 */
export async function uploadMedia(
  browser: BrowserlessClient,
  channelId: number,
  kind: string,
  bytes: Uint8Array,
  { type = 'audio/webm', accept = 'application/json', headers = {} }: { type?: string; accept?: string; headers?: Record<string, string> } = {}
) {
  const form = new FormData()
  form.append('kind', kind)
  form.append('media', new Blob([Uint8Array.from(bytes)], { type }), 'recording.webm')
  return browser.fetch(`/channels/${channelId}/media_messages`, { method: 'POST', body: form, headers: { accept, ...headers } })
}

/** Every file under a folder (recursively), relative names; none when it does not exist. */
export async function filesUnder(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true })
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
  } catch {
    return []
  }
}

/** The stored recordings (the fs disk, MEDIA_STORAGE_PATH of .env.test) and the upload temp files. */
export const storedRecordings = () => filesUnder(app.makePath(process.env.MEDIA_STORAGE_PATH ?? 'storage', 'media'))
export const uploadTempFiles = () => filesUnder(uploadsTmpDir())

/** Each test starts with no stored recording and no upload temp file (as withCleanDatabase does for rows). */
export function withCleanMediaStorage(group: Group) {
  group.each.setup(async () => {
    await rm(app.makePath(process.env.MEDIA_STORAGE_PATH ?? 'storage', 'media'), { recursive: true, force: true })
    await rm(uploadsTmpDir(), { recursive: true, force: true })
  })
}
