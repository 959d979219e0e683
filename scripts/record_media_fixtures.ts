/*
| Records the media fixtures of tests/fixtures/media/ with the real browsers' MediaRecorder and
| fake devices: what Chromium and Firefox upload as voice and video messages. Run it again after
| a browser upgrade: `npm run fixtures:media` (Chromium at CHROMIUM_PATH or /usr/bin/chromium,
| Firefox ESR at FIREFOX_PATH or /usr/bin/firefox-esr). It writes each clip and manifest.json,
| which holds the type the recorder reported and how long the recorder ran by the page's clock:
| the unit tests check the durations computed from the bytes against those figures.
*/
import { createServer } from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { launchChromium } from '../tests/helpers/chromium.js'
import puppeteer from 'puppeteer-core'

const OUT = new URL('../tests/fixtures/media/', import.meta.url)
// getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
const PORT = Number(process.env.FIXTURE_PORT ?? 3539)

type Clip = { name: string; mimeType: string; video: boolean; seconds: number }

/** The clips each browser records (the types its composer would pick with isTypeSupported). */
const CLIPS: Record<'chromium' | 'firefox', Clip[]> = {
  chromium: [
    { name: 'chromium_voice.webm', mimeType: 'audio/webm;codecs=opus', video: false, seconds: 3 },
    { name: 'chromium_video.webm', mimeType: 'video/webm;codecs=vp8,opus', video: true, seconds: 2 },
  ],
  firefox: [
    { name: 'firefox_voice.ogg', mimeType: 'audio/ogg;codecs=opus', video: false, seconds: 3 },
    { name: 'firefox_voice.webm', mimeType: 'audio/webm;codecs=opus', video: false, seconds: 2 },
    { name: 'firefox_video.webm', mimeType: 'video/webm;codecs=vp8,opus', video: true, seconds: 2 },
  ],
}

/** Runs in the page: records `seconds` of the fake devices and returns the bytes as base64. */
async function recordInPage({ mimeType, video, seconds }: Clip) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: video ? { width: 320, height: 240 } : false })
  const recorder = new MediaRecorder(stream, { mimeType })
  const chunks: Blob[] = []
  recorder.ondataavailable = (event) => chunks.push(event.data)
  const stopped = new Promise((resolve) => (recorder.onstop = resolve))
  recorder.start(250)
  const startedAt = performance.now()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  recorder.stop()
  const ranMs = performance.now() - startedAt
  await stopped
  for (const track of stream.getTracks()) track.stop()
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer())
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return { base64: btoa(binary), reportedType: recorder.mimeType, ranMs: Math.round(ranMs) }
}

const server = createServer((_request, response) => response.end('<!doctype html><title>recorder</title>'))
await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve))
const pageUrl = `http://127.0.0.1:${PORT}/`
await mkdir(OUT, { recursive: true })
const manifest: Record<string, { browser: string; requestedType: string; reportedType: string; recordedMs: number; video: boolean; bytes: number }> = {}

try {
  const chromium = await launchChromium()
  const page = await (await chromium.newContext()).newPage()
  await page.goto(pageUrl)
  for (const clip of CLIPS.chromium) {
    const result = await page.evaluate(recordInPage, clip)
    const bytes = Buffer.from(result.base64, 'base64')
    await writeFile(new URL(clip.name, OUT), bytes)
    manifest[clip.name] = { browser: `chromium ${chromium.version()}`, requestedType: clip.mimeType, reportedType: result.reportedType, recordedMs: result.ranMs, video: clip.video, bytes: bytes.length }
  }
  await chromium.close()

  // As tests/helpers/firefox.ts launches it (that module pulls in the app, this script must not).
  const firefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
  })
  const firefoxPage = await firefox.newPage()
  await firefoxPage.goto(pageUrl)
  for (const clip of CLIPS.firefox) {
    const result = await firefoxPage.evaluate(recordInPage, clip)
    const bytes = Buffer.from(result.base64, 'base64')
    await writeFile(new URL(clip.name, OUT), bytes)
    manifest[clip.name] = { browser: `firefox ${await firefox.version()}`, requestedType: clip.mimeType, reportedType: result.reportedType, recordedMs: result.ranMs, video: clip.video, bytes: bytes.length }
  }
  await firefox.close()
  await writeFile(new URL('manifest.json', OUT), JSON.stringify(manifest, null, 2) + '\n')
  console.log(manifest)
} finally {
  server.close()
}
