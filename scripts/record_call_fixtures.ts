/*
| Records the call-recording fixtures of tests/fixtures/recording/ with a real Janus (Debian's
| 1.1.2, as tests/helpers/janus.ts runs it) and real Chromium publishers with fake devices:
| two people publish to one VideoRoom room, the second 1.5 s after the first, and Janus records
| both (`configure` with `record` and `filename`, as app/sfu/sfu_participant.ts does) for about
| 4 s. Writes alice-*.mjr, bob-*.mjr and manifest.json (when each started publishing by this
| script's clock). Needs root (the network namespace): `npm run fixtures:recording`.
*/
import { createServer } from 'node:http'
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { JanusNamespace, JanusServer } from '../tests/helpers/janus.js'
import { launchChromium } from '../tests/helpers/chromium.js'
import { JanusConnection } from '../app/sfu/janus_connection.js'
import { VIDEOROOM } from '../app/sfu/video_room_admin.js'

const OUT = resolve('tests/fixtures/recording')
const WORK = resolve('tmp/recording-fixtures')
const ROOM = 4242
// getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
const PORT = Number(process.env.FIXTURE_PORT ?? 4071)

/** Runs in the page: one publisher connection with the fake camera and microphone, offer with every candidate. */
async function offerInPage(name: string) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
  const pc = new RTCPeerConnection()
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] })
  await pc.setLocalDescription()
  await new Promise<void>((done) => (pc.iceGatheringState === 'complete' ? done() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done())))
  ;(window as any)[name] = pc
  return pc.localDescription!.sdp
}

const missing = JanusNamespace.missing()
if (missing) throw new Error(missing)
const namespace = new JanusNamespace().create()
const janus = new JanusServer('tmp', { wsPort: 3570, rtpPorts: '20200-20260' })
await rm(WORK, { recursive: true, force: true })
await mkdir(WORK, { recursive: true })
await janus.start()
const connection = new JanusConnection(janus.url, { apiSecret: janus.apiSecret }).start()
const browser = await launchChromium()
const server = createServer((_request, response) => response.end('<!doctype html><title>publishers</title>'))
await new Promise<void>((done) => server.listen(PORT, '127.0.0.1', done))
try {
  await connection.ready()
  const admin = await connection.attach(VIDEOROOM)
  await admin.message({ request: 'create', room: ROOM, permanent: false, publishers: 4, audiocodec: 'opus', videocodec: 'vp8' })
  const page = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage()
  await page.goto(`http://127.0.0.1:${PORT}/`)
  const started: Record<string, number> = {}
  const t0 = Date.now()
  const handles = []
  for (const [index, name] of ['alice', 'bob'].entries()) {
    if (index > 0) await new Promise((done) => setTimeout(done, 1500))
    const handle = await connection.attach(VIDEOROOM)
    await handle.message({ request: 'join', ptype: 'publisher', room: ROOM, id: index + 1, display: name })
    const sdp = await page.evaluate(offerInPage, name)
    const { jsep } = await handle.message({ request: 'configure', record: true, filename: join(WORK, name) }, { type: 'offer', sdp })
    await page.evaluate(([pcName, answer]) => (window as any)[pcName!].setRemoteDescription({ type: 'answer', sdp: answer }), [name, jsep!.sdp] as const)
    started[name] = Date.now() - t0
    handles.push(handle)
  }
  await new Promise((done) => setTimeout(done, 3000))
  for (const handle of handles) await handle.message({ request: 'configure', record: false })
  const recordedMs = Date.now() - t0
  for (const handle of handles) await handle.detach()
  await mkdir(OUT, { recursive: true })
  const files = (await readdir(WORK)).filter((file) => file.endsWith('.mjr'))
  for (const file of files) await copyFile(join(WORK, file), join(OUT, file))
  await writeFile(join(OUT, 'manifest.json'), JSON.stringify({ janus: '1.1.2', startedMs: started, recordedMs, files }, null, 2) + '\n')
  console.log(`Wrote ${files.join(', ')} to ${OUT}`)
} finally {
  server.close()
  await browser.close()
  await connection.close()
  await janus.stop()
  namespace.remove()
}
