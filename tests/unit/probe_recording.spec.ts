import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { probeRecording } from '#media/probe_recording'
import { MediaProblem } from '#media/container_report'
import { fixtureManifest, fixturePath } from '#tests/helpers/media'
import { ByteReader } from '#media/byte_reader'
import { readOgg } from '#media/ogg'
import { waveformPeaks } from '#media/waveform'
import waveformThread from '#media/waveform_thread'

const OPTIONS = { maxSeconds: 300, stopLagMs: 1000, bars: 64 }

/** The problem's code, or null when the recording was taken. */
async function refusalOf(path: string, kind: 'voice' | 'video', options = OPTIONS) {
  try {
    await probeRecording(path, kind, options)
    return null
  } catch (error) {
    if (error instanceof MediaProblem) return error.code
    throw error
  }
}

test.group('probeRecording: real recordings of the browsers', () => {
  test('every fixture is taken as its kind, its length within 0.5 s of how long the recorder ran', async ({ assert }) => {
    const manifest = await fixtureManifest()
    assert.isAtLeast(Object.keys(manifest).length, 5)
    for (const [name, info] of Object.entries(manifest)) {
      const facts = await probeRecording(fixturePath(name), info.video ? 'video' : 'voice', OPTIONS)
      assert.closeTo(facts.durationMs, info.recordedMs, 500, `${name} (${info.browser})`)
      assert.equal(facts.mimeType, info.video ? 'video/webm' : name.endsWith('.ogg') ? 'audio/ogg' : 'audio/webm', name)
      assert.equal(facts.peaks === null, info.video, `${name}: peaks for voice only`)
    }
  })

  test("Chromium's WebM has no Duration header: the length comes from its blocks", async ({ assert }) => {
    const bytes = await readFile(fixturePath('chromium_voice.webm'))
    // The Info element (0x1549A966) holds no Duration (0x4489): a live stream's layout.
    const info = bytes.indexOf(Buffer.from([0x15, 0x49, 0xa9, 0x66]))
    assert.isAbove(info, 0)
    const sizeLength = Math.clz32(bytes[info + 4]!) - 23
    let size = bytes[info + 4]! & (0xff >> sizeLength)
    for (let index = 1; index < sizeLength; index++) size = size * 256 + bytes[info + 4 + index]!
    const infoData = bytes.subarray(info + 4 + sizeLength, info + 4 + sizeLength + size)
    assert.isAbove(infoData.length, 0)
    assert.equal(infoData.indexOf(Buffer.from([0x44, 0x89])), -1)
    const facts = await probeRecording(fixturePath('chromium_voice.webm'), 'voice', OPTIONS)
    assert.isAbove(facts.durationMs, 2500)
  })

  test('voice peaks are 0..1 with the loudest at 1: the fake microphone beeps in Chromium, hums steadily in Firefox', async ({ assert }) => {
    const beeps = (await probeRecording(fixturePath('chromium_voice.webm'), 'voice', OPTIONS)).peaks!
    const hum = (await probeRecording(fixturePath('firefox_voice.ogg'), 'voice', OPTIONS)).peaks!
    for (const peaks of [beeps, hum]) {
      assert.lengthOf(peaks, 64)
      assert.equal(Math.max(...peaks), 1)
      assert.isTrue(peaks.every((peak) => peak >= 0 && peak <= 1))
    }
    assert.isAbove(beeps.filter((peak) => peak < 0.1).length, 32, 'mostly quiet between the beeps')
    assert.isAbove(beeps.filter((peak) => peak > 0.5).length, 0, 'some beeps')
    assert.isTrue(hum.every((peak) => peak > 0.5), 'a steady tone all along')
  })

  test('the worker thread computes the same waveform as the decoder in this thread', async ({ assert }) => {
    const reader = await ByteReader.open(fixturePath('firefox_voice.ogg'))
    const report = await readOgg(reader, true).finally(() => reader.close())
    const here = await waveformPeaks(report.opus!.head, report.opus!.packets, report.durationMs, 16)
    const there = await waveformThread.peaks(report.opus!.head, report.opus!.packets, report.durationMs, 16)
    assert.lengthOf(here, 16)
    assert.deepEqual(there, here)
    // The packets moved to the worker: this thread no longer holds their bytes.
    assert.equal(report.opus!.packets[0]!.byteLength, 0)
  })

  test('the maximum length is taken with one second of stop lag, not more', async ({ assert }) => {
    // chromium_voice.webm lasts 3.0 s.
    assert.isNull(await refusalOf(fixturePath('chromium_voice.webm'), 'voice', { ...OPTIONS, maxSeconds: 2 }))
    assert.equal(await refusalOf(fixturePath('chromium_voice.webm'), 'voice', { ...OPTIONS, maxSeconds: 1 }), 'E_MEDIA_TOO_LONG')
  })
})

test.group('probeRecording: what is refused', (group) => {
  let directory = ''
  group.setup(async () => {
    directory = await mkdtemp(join(tmpdir(), 'confab-probe-'))
    return () => rm(directory, { recursive: true, force: true })
  })
  const file = async (name: string, bytes: Uint8Array) => {
    const path = join(directory, name)
    await writeFile(path, bytes)
    return path
  }

  test('a video where voice is expected, and a voice recording as a video', async ({ assert }) => {
    assert.equal(await refusalOf(fixturePath('chromium_video.webm'), 'voice'), 'E_MEDIA_NOT_VOICE')
    assert.equal(await refusalOf(fixturePath('firefox_video.webm'), 'voice'), 'E_MEDIA_NOT_VOICE')
    assert.equal(await refusalOf(fixturePath('chromium_voice.webm'), 'video'), 'E_MEDIA_NOT_VIDEO')
    assert.equal(await refusalOf(fixturePath('firefox_voice.ogg'), 'video'), 'E_MEDIA_NOT_VIDEO')
  })

  test('garbage bytes, an empty file and a PNG named .webm are not recordings', async ({ assert }) => {
    assert.equal(await refusalOf(await file('garbage.webm', randomBytes(50_000)), 'voice'), 'E_MEDIA_TYPE')
    assert.equal(await refusalOf(await file('empty.webm', new Uint8Array()), 'voice'), 'E_MEDIA_EMPTY')
    const png = await readFile(new URL('../../docs/channel-page.png', import.meta.url))
    assert.equal(await refusalOf(await file('picture.webm', png), 'voice'), 'E_MEDIA_TYPE')
    assert.equal(await refusalOf(await file('picture.webm', png), 'video'), 'E_MEDIA_TYPE')
  })

  test('a truncated WebM or Ogg file is refused as incomplete', async ({ assert }) => {
    for (const name of ['chromium_voice.webm', 'firefox_voice.webm', 'chromium_video.webm', 'firefox_voice.ogg']) {
      const bytes = await readFile(fixturePath(name))
      const kind = name.includes('video') ? 'video' : 'voice'
      const cut = await file(`cut-${name}`, bytes.subarray(0, Math.floor(bytes.length * 0.6) + 3))
      assert.equal(await refusalOf(cut, kind), 'E_MEDIA_TRUNCATED', name)
    }
  })

  test('a WebM header followed by garbage is damaged, not a recording of 0 s', async ({ assert }) => {
    const bytes = await readFile(fixturePath('chromium_voice.webm'))
    const header = bytes.subarray(0, 40)
    const damaged = await file('damaged.webm', Buffer.concat([header, randomBytes(20_000)]))
    const code = await refusalOf(damaged, 'voice')
    assert.oneOf(code, ['E_MEDIA_CORRUPT', 'E_MEDIA_TRUNCATED'])
  })
})
