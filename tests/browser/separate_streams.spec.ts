import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { acceptRing, chromiumForGroup, peerStats, receivingEverything, startCallFrom, until } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/**
 * Makes every RTCPeerConnection of the page put each track in a stream of its own, as valid
 * WebRTC senders may (other clients do; Confab's own page puts both in one).
 */
function eachTrackInItsOwnStream() {
  const addTrack = RTCPeerConnection.prototype.addTrack
  RTCPeerConnection.prototype.addTrack = function (track: MediaStreamTrack) {
    return addTrack.call(this, track, new MediaStream([track]))
  }
}

/** The stream ids (msid) the page's first connection announces in its local SDP. */
function sentStreamIds(page: Page) {
  return page.evaluate(() => {
    const sdp: string = (window as any).confabCall.mesh.sessions[0].pc.localDescription?.sdp ?? ''
    return [...new Set([...sdp.matchAll(/^a=msid:(\S+) /gm)].map((match) => match[1]))]
  })
}

/** What the tile of `userId` plays: its <video>'s tracks, size and play state, and how loud its audio is. */
function tilePlayback(page: Page, userId: number) {
  return page.evaluate(async (id) => {
    const video = document.querySelector<HTMLVideoElement>(`.tile[data-user-id="${id}"] video`)
    const stream = video?.srcObject as MediaStream | null
    if (!video || !stream) return null
    const live = (tracks: MediaStreamTrack[]) => tracks.filter((track) => track.readyState === 'live').length
    // The loudest moment of the tile's own audio over a second (the fake microphone beeps).
    let loudest = 0
    if (stream.getAudioTracks().length) {
      const context = new AudioContext()
      const analyser = context.createAnalyser()
      context.createMediaStreamSource(stream).connect(analyser)
      const samples = new Float32Array(analyser.fftSize)
      for (let tick = 0; tick < 20; tick++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        analyser.getFloatTimeDomainData(samples)
        loudest = Math.max(loudest, ...samples.map(Math.abs))
      }
      await context.close()
    }
    return {
      audioTracks: live(stream.getAudioTracks()),
      videoTracks: live(stream.getVideoTracks()),
      width: video.videoWidth,
      playing: !video.paused,
      muted: video.muted,
      loudest,
    }
  }, userId)
}

test.group('Calls in Chromium: a peer that sends audio and video in separate streams', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test("bob's page puts each track in its own stream: alice's tile of bob still plays his audio and his video", async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    await bobPage.context().addInitScript(eachTrackInItsOwnStream)

    await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)
    for (const page of [alicePage, bobPage]) {
      await until(() => peerStats(page), receivingEverything(1), 20_000, 'audio and video both ways')
    }
    assert.lengthOf(await sentStreamIds(bobPage), 2, 'bob sends two streams')
    assert.lengthOf(await sentStreamIds(alicePage), 1, 'alice sends one')

    const playsBoth = (playback: Awaited<ReturnType<typeof tilePlayback>>) =>
      Boolean(playback && playback.audioTracks === 1 && playback.videoTracks === 1 && playback.width > 0 && playback.playing && playback.loudest > 0.01)
    const bobOnAlice = await until(() => tilePlayback(alicePage, bob!.id), playsBoth, 15_000, "alice's tile of bob to play his audio and video")
    assert.isFalse(bobOnAlice!.muted)
    // And the usual one-stream sender is unchanged on the other side.
    await until(() => tilePlayback(bobPage, alice!.id), playsBoth, 15_000, "bob's tile of alice to play her audio and video")
  })

  test("in an audio call bob shares his screen (a track in no stream): alice's tile of bob keeps his audio and shows the screen", async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())

    await startCallFrom(alicePage, channel.id, 'audio')
    await acceptRing(bobPage)
    for (const page of [alicePage, bobPage]) {
      await until(() => peerStats(page), receivingEverything(1, true), 20_000, 'audio both ways')
    }
    const hearsBob = (playback: Awaited<ReturnType<typeof tilePlayback>>) => Boolean(playback && playback.audioTracks === 1 && playback.loudest > 0.01)
    await until(() => tilePlayback(alicePage, bob!.id), hearsBob, 15_000, "alice's tile of bob to play his audio")

    await bobPage.getByRole('button', { name: 'Share screen' }).click()
    const sharing = await until(
      () => tilePlayback(alicePage, bob!.id),
      (playback) => hearsBob(playback) && playback!.videoTracks === 1 && playback!.width > 0,
      15_000,
      "alice's tile of bob to play his audio and his screen"
    )
    assert.isTrue(sharing!.playing)
    assert.equal(await alicePage.locator(`.tile[data-user-id="${bob!.id}"]`).getAttribute('data-screen'), 'true')
  })
})
