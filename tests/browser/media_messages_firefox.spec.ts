import { test } from '@japa/runner'
import Message from '#models/message'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { chromiumForGroup, cspViolations, until } from '#tests/helpers/browser'
import { firefoxForGroup, firefoxMissing } from '#tests/helpers/firefox'
import { printedSkip } from '#tests/helpers/services'
import { withCleanMediaStorage } from '#tests/helpers/media'
import { clickRecorderButton, playToEnd, record, timelineMedia, timelineMediaIds, waitForPhase } from '#tests/helpers/media_messages'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
// Why the Firefox tests cannot run here (printed with the skip), or null.
const firefoxMissingReason = firefoxMissing()

test.group('Voice messages between Firefox and Chromium', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)
  const openChromium = chromiumForGroup(group)
  const openFirefox = firefoxForGroup(group)

  test('Firefox records and sends voice (Ogg) and video (WebM) messages; Chromium plays both to the end', async ({ assert }) => {
    const [firefoxUser, chromiumUser] = (await people(2)) as [User, User]
    const channel = await channelWith([firefoxUser, chromiumUser])
    const firefoxPage = await openFirefox(firefoxUser, baseUrl(), `/channels/${channel.id}`)
    const chromiumPage = await openChromium(chromiumUser, baseUrl(), `/channels/${channel.id}`)

    const recorded = await record(firefoxPage, 'voice', 3000)
    // No level check here (Chromium's test has it): headless Firefox on these machines has no
    // audio output device, and its AudioContext stays suspended even after a trusted click, so
    // the meter reads silence. The recording itself is not affected.
    assert.match(recorded.timer, /^0:0[23] \/ 5:00$/)
    await clickRecorderButton(firefoxPage, 'Send')
    const [id] = await until(() => timelineMediaIds(firefoxPage), (ids) => ids.length === 1, 20_000, "the message in Firefox's timeline")
    await waitForPhase(firefoxPage, 'idle')
    const message = await Message.query().where('id', id!).preload('media').firstOrFail()
    assert.equal(message.kind, 'voice')
    // What the server sniffed from Firefox's bytes (Ogg or WebM, whichever this Firefox writes).
    assert.match(message.media.mimeType, /^audio\/(ogg|webm)/)
    assert.closeTo(message.media.durationMs, recorded.elapsedMs, 500)

    const shown = await until(() => timelineMedia(chromiumPage, id!), Boolean, 10_000, "Firefox's message on Chromium's page")
    assert.equal(shown!.player, 'audio')
    const played = await playToEnd(chromiumPage, id!)
    assert.isTrue(played.ended, JSON.stringify(played))

    // A video message from Firefox (WebM: it records no other video type) plays in Chromium too,
    // though only once loaded again (resources/js/messages/player_recovery.ts) if its player had
    // to wait between loading and play.
    await record(firefoxPage, 'video', 2000)
    await clickRecorderButton(firefoxPage, 'Send')
    const [, videoId] = await until(() => timelineMediaIds(firefoxPage), (ids) => ids.length === 2, 20_000, "the video in Firefox's timeline")
    await until(() => timelineMedia(chromiumPage, videoId!), Boolean, 10_000, "Firefox's video on Chromium's page")
    // Waited for, as a person reading the timeline would before pressing play.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const video = await playToEnd(chromiumPage, videoId!)
    assert.isTrue(video.ended, JSON.stringify(video))
    assert.isAbove(video.videoWidth, 0)
    console.log(`Firefox's video in Chromium: ${video.recovered ? 'played after loading again' : 'played at once'}`)
    assert.deepEqual(await cspViolations(firefoxPage), [])
  })
    .timeout(120_000)
    .skip(...printedSkip(firefoxMissingReason !== null, firefoxMissingReason ?? ''))
})
