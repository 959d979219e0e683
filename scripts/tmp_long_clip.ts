import { createServer } from 'node:http'
import { writeFile } from 'node:fs/promises'
import { launchChromium } from '../tests/helpers/chromium.js'
const server = createServer((_q, r) => r.end('<!doctype html><title>x</title>'))
await new Promise<void>((res) => server.listen(3537, '127.0.0.1', res))
const b = await launchChromium()
const page = await (await b.newContext()).newPage()
await page.goto('http://127.0.0.1:3537/')
const seconds = Number(process.argv[2] ?? 60)
const video = process.argv[3] === 'video'
const base64 = await page.evaluate(async ({ seconds, video }) => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: video ? { width: 1280, height: 720 } : false })
  const recorder = new MediaRecorder(stream, { mimeType: video ? 'video/webm;codecs=vp8,opus' : 'audio/webm;codecs=opus' })
  const chunks: Blob[] = []
  recorder.ondataavailable = (e) => chunks.push(e.data)
  const stopped = new Promise((r) => (recorder.onstop = r))
  recorder.start(1000)
  await new Promise((r) => setTimeout(r, seconds * 1000))
  recorder.stop(); await stopped
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer())
  let s = ''; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}, { seconds, video })
await writeFile(`/tmp/long_${video ? 'video' : 'voice'}_${seconds}.webm`, Buffer.from(base64, 'base64'))
await b.close(); server.close()
