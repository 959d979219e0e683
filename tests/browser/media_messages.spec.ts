import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import Message from '#models/message'
import mediaMessagesConfig from '#config/media_messages'
import { storedRecordings, uploadTempFiles, withCleanMediaStorage } from '#tests/helpers/media'
import { channelWith, people, withCleanDatabase, type Channel, type User } from '#tests/helpers/world'
import { chromiumForGroup, cspViolations, until } from '#tests/helpers/browser'
import {
  clickRecorderButton,
  playToEnd,
  record,
  recorderState,
  timelineMedia,
  timelineMediaIds,
  waitForPhase,
} from '#tests/helpers/media_messages'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Sends what the recorder holds and returns the new message's id, once it is in the sender's timeline. */
export async function sendRecording(page: Page) {
  const before = await timelineMediaIds(page)
  await clickRecorderButton(page, 'Send')
  const after = await until(() => timelineMediaIds(page), (ids) => ids.length > before.length, 20_000, 'the sent message in the timeline')
  await waitForPhase(page, 'idle')
  return after.at(-1)!
}

test.group('Voice and video messages in Chromium', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)
  const open = chromiumForGroup(group)
  // The refusal tests lower a limit in this running server (the page keeps the one it loaded with).
  const limits = { ...mediaMessagesConfig }
  group.each.teardown(() => void Object.assign(mediaMessagesConfig, limits))

  async function twoMembers() {
    const [alice, bob] = (await people(2)) as [User, User]
    const channel: Channel = await channelWith([alice, bob])
    const alicePage = await open(alice, baseUrl(), `/channels/${channel.id}`)
    const bobPage = await open(bob, baseUrl(), `/channels/${channel.id}`)
    return { alice, bob, channel, alicePage, bobPage }
  }

  test('alice records ~3 s of voice and sends it; bob gets it live and plays it to the end', async ({ assert }) => {
    const { channel, alicePage, bobPage } = await twoMembers()

    const recorded = await record(alicePage, 'voice', 3000)
    assert.match(recorded.timer, /^0:0[23] \/ 5:00$/, 'the timer counts up, with the maximum')
    assert.isAbove(recorded.highestLevel, 0.05, "the level meter moved with the fake microphone's tone")
    // The recording plays back before it is sent.
    const playback = await alicePage.evaluate(async () => {
      const audio = document.querySelector<HTMLAudioElement>('audio.recorder__playback')!
      audio.muted = true
      await audio.play()
      await new Promise((resolve) => setTimeout(resolve, 400))
      return { src: audio.src, visible: audio.checkVisibility(), currentTime: audio.currentTime }
    })
    assert.match(playback.src, /^blob:/)
    assert.isTrue(playback.visible)
    assert.isAbove(playback.currentTime, 0)
    assert.lengthOf(await Message.query().where('channelId', channel.id), 0, 'nothing is on the server before Send')

    const id = await sendRecording(alicePage)
    const mine = await timelineMedia(alicePage, id)
    assert.equal(mine!.kind, 'voice')
    assert.equal(mine!.count, 1, 'my message once, whether the response or the stream came first')
    assert.equal(mine!.player, 'audio')
    // The server's duration, computed from the bytes, against what the recorder recorded.
    assert.closeTo(mine!.durationMs, recorded.elapsedMs, 500)

    const bobs = await until(() => timelineMedia(bobPage, id), Boolean, 10_000, "alice's voice message on bob's page")
    assert.equal(bobs!.player, 'audio')
    assert.equal(bobs!.count, 1)
    const played = await playToEnd(bobPage, id)
    assert.isTrue(played.ended, `bob's player reached its end (${JSON.stringify(played)})`)
    assert.closeTo(played.currentTime * 1000, recorded.elapsedMs, 700)
    assert.deepEqual(await cspViolations(alicePage), [])
    assert.deepEqual(await cspViolations(bobPage), [])
  }).timeout(90_000)

  test('a video message: the camera while recording, then bob plays the video', async ({ assert }) => {
    const { alicePage, bobPage } = await twoMembers()

    await clickRecorderButton(alicePage, 'Record video')
    await waitForPhase(alicePage, 'recording')
    const camera = await until(
      () => alicePage.evaluate(() => document.querySelector<HTMLVideoElement>('.recorder__camera')!.videoWidth),
      (width) => width > 0,
      10_000,
      'the camera preview'
    )
    assert.isAbove(camera, 0)
    await until(() => recorderState(alicePage), (state) => state.elapsedMs >= 2000, 10_000, '2 s of video')
    await clickRecorderButton(alicePage, 'Stop')
    const recorded = await waitForPhase(alicePage, 'recorded')
    assert.isTrue(await alicePage.evaluate(() => document.querySelector('video.recorder__playback')!.checkVisibility()))

    const id = await sendRecording(alicePage)
    const bobs = await until(() => timelineMedia(bobPage, id), Boolean, 10_000, "alice's video message on bob's page")
    assert.equal(bobs!.kind, 'video')
    assert.equal(bobs!.player, 'video')
    assert.closeTo(bobs!.durationMs, recorded.elapsedMs, 500)
    const played = await playToEnd(bobPage, id)
    assert.isTrue(played.ended, JSON.stringify(played))
    assert.isAbove(played.videoWidth, 0, 'frames were decoded')
  }).timeout(90_000)

  test('Discard and Escape send nothing; a cancelled upload leaves no row and no file', async ({ assert }) => {
    const { channel, alicePage } = await twoMembers()
    const uploads: string[] = []
    alicePage.on('request', (request) => {
      if (request.url().includes('/media_messages')) uploads.push(request.url())
    })

    await record(alicePage, 'voice', 1000)
    await clickRecorderButton(alicePage, 'Discard')
    await waitForPhase(alicePage, 'idle')
    assert.isFalse(await alicePage.evaluate(() => document.querySelector('audio.recorder__playback')!.hasAttribute('src')), 'the playback is let go')

    await clickRecorderButton(alicePage, 'Record video')
    await waitForPhase(alicePage, 'recording')
    await alicePage.keyboard.press('Escape')
    await waitForPhase(alicePage, 'idle')
    // Escape released the camera and microphone.
    assert.isNull(await alicePage.evaluate(() => document.querySelector<HTMLVideoElement>('.recorder__camera')!.srcObject))

    assert.deepEqual(uploads, [], 'nothing was sent for a discarded or cancelled recording')

    // Cancel upload: a real upload over a throttled link (8 KB/s), aborted mid-way.
    await record(alicePage, 'voice', 2000)
    const cdp = await alicePage.context().newCDPSession(alicePage)
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 })
    await clickRecorderButton(alicePage, 'Send')
    await waitForPhase(alicePage, 'uploading')
    assert.isTrue(await alicePage.evaluate(() => document.querySelector('.recorder progress')!.checkVisibility()), 'the progress bar')
    const partway = await until(
      () => alicePage.evaluate(() => document.querySelector<HTMLProgressElement>('.recorder progress')!.value),
      (value) => value > 0,
      10_000,
      'the upload under way'
    )
    assert.isBelow(partway, 1)
    await clickRecorderButton(alicePage, 'Cancel upload')
    await waitForPhase(alicePage, 'recorded')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    assert.equal((await recorderState(alicePage)).error, '', 'a cancel is no error')
    assert.lengthOf(uploads, 1)
    // The server saw the connection go before the end of the upload: it keeps nothing.
    await until(() => uploadTempFiles(), (files) => files.length === 0, 5000, 'no upload temp file')

    assert.lengthOf(await Message.query().where('channelId', channel.id), 0)
    assert.deepEqual(await storedRecordings(), [])
    assert.deepEqual(await uploadTempFiles(), [])
    assert.deepEqual(await timelineMediaIds(alicePage), [])
  }).timeout(60_000)

  test("the server's refusals are shown in the composer: too large (413), too long (422)", async ({ assert }) => {
    const { channel, alicePage } = await twoMembers()
    await record(alicePage, 'voice', 2500)

    mediaMessagesConfig.voiceMaxBytes = 2000
    await clickRecorderButton(alicePage, 'Send')
    const tooLarge = await until(() => recorderState(alicePage), (state) => state.error !== '', 20_000, 'the 413 in the composer')
    assert.equal(tooLarge.error, 'A voice message can be at most 2 KB. Record a shorter one.')
    assert.equal(tooLarge.phase, 'recorded', 'the recording stays, to discard or send again')
    // x-text fills the alert and x-show reveals it in two effects: wait for it to be seen.
    const alertShown = () => alicePage.evaluate(() => document.querySelector('.recorder [role=alert]')!.checkVisibility())
    assert.isTrue(await until(alertShown, Boolean, 5000, 'the alert shown'))

    mediaMessagesConfig.voiceMaxBytes = limits.voiceMaxBytes
    mediaMessagesConfig.voiceMaxSeconds = 1
    await clickRecorderButton(alicePage, 'Send')
    await until(() => recorderState(alicePage), (state) => state.error.includes('at most 1 s long'), 20_000, 'the 422 in the composer')
    assert.equal((await recorderState(alicePage)).error, 'A voice message can be at most 1 s long.')

    assert.lengthOf(await Message.query().where('channelId', channel.id), 0, 'nothing half-sent')
    assert.deepEqual(await storedRecordings(), [])
    assert.deepEqual(await timelineMediaIds(alicePage), [])
  }).timeout(60_000)

  test("alice deletes her voice message: it leaves bob's timeline live, and its file goes", async ({ assert }) => {
    const { alicePage, bobPage } = await twoMembers()
    await record(alicePage, 'voice', 1500)
    const id = await sendRecording(alicePage)
    await until(() => timelineMedia(bobPage, id), Boolean, 10_000, "the message on bob's page")
    assert.lengthOf(await storedRecordings(), 1)
    // Only the author has a Delete button, on the broadcast copy too.
    assert.isTrue(await alicePage.evaluate((messageId) => document.querySelector(`#message-${messageId} .message__delete`)!.checkVisibility(), id))
    assert.isFalse(await bobPage.evaluate((messageId) => Boolean(document.querySelector(`#message-${messageId} .message__delete`)?.checkVisibility()), id))

    alicePage.on('dialog', (dialog) => void dialog.accept())
    await alicePage.hover(`#message-${id}`)
    await alicePage.click(`#message-${id} .message__delete`)
    await until(() => timelineMedia(alicePage, id), (message) => message === null, 10_000, "the message gone from alice's page")
    await until(() => timelineMedia(bobPage, id), (message) => message === null, 10_000, "the message gone from bob's page")
    assert.isNull(await Message.find(id))
    await until(() => storedRecordings(), (files) => files.length === 0, 5000, 'the file deleted')
  }).timeout(60_000)

  test('the buttons are reachable by keyboard and labelled', async ({ assert }) => {
    const { alicePage } = await twoMembers()
    await alicePage.focus('#composer-body')
    const labels: string[] = []
    for (let press = 0; press < 3; press++) {
      await alicePage.keyboard.press('Tab')
      labels.push(await alicePage.evaluate(() => document.activeElement!.textContent!.trim()))
    }
    assert.includeMembers(labels, ['Record voice', 'Record video'])
    // Enter on the focused Record video starts it; the focus moves to Stop.
    while ((await alicePage.evaluate(() => document.activeElement!.textContent!.trim())) !== 'Record video') {
      await alicePage.keyboard.press('Shift+Tab')
    }
    await alicePage.keyboard.press('Enter')
    await waitForPhase(alicePage, 'recording')
    await until(() => alicePage.evaluate(() => document.activeElement!.textContent!.trim()), (text) => text === 'Stop', 3000, 'the focus on Stop')
    await alicePage.keyboard.press('Escape')
    await waitForPhase(alicePage, 'idle')
  }).timeout(60_000)
})
