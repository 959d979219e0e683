import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { snapshot } from '#tests/helpers/calls'
import { acceptRing, chromiumForGroup, connectedPairOn, cspViolations, peerStats, receivingEverything, sentTrack, startCallFrom, until } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Init script: the camera is held by another app (Chromium's NotReadableError) until `__cameraBusy` is cleared. */
function cameraInUse() {
  ;(window as any).__cameraBusy = true
  const devices = navigator.mediaDevices
  const getUserMedia = devices.getUserMedia.bind(devices)
  devices.getUserMedia = async (constraints) => {
    if (constraints?.video && (window as any).__cameraBusy) throw new DOMException('Could not start video source', 'NotReadableError')
    return getUserMedia(constraints)
  }
}

/** Init script: the person refuses Confab both devices (the permission prompt's Block). */
function permissionDenied() {
  navigator.mediaDevices.getUserMedia = async () => {
    throw new DOMException('Permission denied', 'NotAllowedError')
  }
}

/** The microphone's track ends as an unplugged device's does (stop() alone fires no `ended`). */
function unplugMicrophone(page: Page, { noOther }: { noOther: boolean }) {
  return page.evaluate((gone) => {
    if (gone) {
      // The only microphone is gone: the device list no longer has it, asking for one fails.
      ;(window as any).__microphoneGone = true
      const devices = navigator.mediaDevices
      const enumerate = devices.enumerateDevices.bind(devices)
      const getUserMedia = devices.getUserMedia.bind(devices)
      devices.enumerateDevices = async () => (await enumerate()).filter((info) => !((window as any).__microphoneGone && info.kind === 'audioinput'))
      devices.getUserMedia = async (constraints) => {
        if (constraints?.audio && (window as any).__microphoneGone) throw new DOMException('Requested device not found', 'NotFoundError')
        return getUserMedia(constraints)
      }
    }
    const track: MediaStreamTrack = (window as any).confabCall.media.stream.getAudioTracks()[0]
    track.stop()
    track.dispatchEvent(new Event('ended'))
    return track.label
  }, noOther)
}

/** What the <video> on `userId`'s tile plays: its size (0 when nothing decodes) and whether it shows. */
function tileVideo(page: Page, userId: number) {
  return page.evaluate((id) => {
    const video = document.querySelector<HTMLVideoElement>(`.tile[data-user-id="${id}"] video`)
    return { width: video?.videoWidth ?? 0, shown: Boolean(video && video.offsetParent !== null) }
  }, userId)
}

test.group('Device problems in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  /** alice calls bob; bob's pages run `script` first (his devices misbehave). */
  async function callWithTroubledBob(script: () => void) {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl())
    const bobPage = await open(bob!, baseUrl())
    await bobPage.context().addInitScript(script)
    const errors: string[] = []
    bobPage.on('pageerror', (error) => {
      // Vite's dev-server reload socket, refused when another test run holds its port: not the room.
      if (error.message !== 'WebSocket closed without opened.') errors.push(error.message)
    })
    // Alpine's CSP build reports an expression it cannot run on the console, not as a page error.
    bobPage.on('console', (message) => {
      if (message.text().includes('Alpine')) errors.push(message.text())
    })
    const callId = await startCallFrom(alicePage, channel.id, 'video')
    await acceptRing(bobPage)
    return { alice: alice!, bob: bob!, alicePage, bobPage, callId, errors }
  }

  test("bob's camera is in use by another app: he joins with audio, is told so, and Try again brings his video to alice", async ({ assert }) => {
    const { bob, alicePage, bobPage, errors } = await callWithTroubledBob(cameraInUse)
    await until(() => peerStats(bobPage), receivingEverything(1), 30_000, 'bob to receive alice')
    await until(() => peerStats(alicePage), ([peer]) => peer?.connectionState === 'connected' && peer.audioPackets > 0, 20_000, 'alice to hear bob')

    const problem = bobPage.locator('[role="alert"] .device-problem[data-device="camera"]')
    await problem.waitFor()
    assert.equal(
      await problem.locator('.device-problem__message').textContent(),
      'Your camera is in use by another app: close that app or choose another camera, then Try again. Until then, others see your initials.'
    )
    assert.isTrue(await bobPage.getByRole('button', { name: 'Camera in use' }).isVisible(), 'the camera button says what happened')
    const picker = problem.getByRole('combobox', { name: 'Choose another camera' })
    await until(() => picker.locator('option').count(), (count) => count === 3, 5000, 'both cameras offered after the placeholder')
    // Not a black tile on either side: initials and "Camera off".
    for (const page of [bobPage, alicePage]) {
      const tile = page.locator(`.tile[data-user-id="${bob.id}"]`)
      await until(() => tile.getAttribute('data-video'), (video) => video === 'false', 5000, "bob's tile to show his camera off")
      assert.isTrue(await tile.locator('.tile__initials').isVisible())
      assert.isTrue(await tile.locator('[data-mark="camera-off"]').isVisible())
      assert.isFalse((await tileVideo(page, bob.id)).shown)
    }

    // The other app lets go of the camera; bob tries again.
    await bobPage.evaluate(() => ((window as any).__cameraBusy = false))
    await problem.getByRole('button', { name: 'Try again' }).click()
    await problem.waitFor({ state: 'detached' })
    assert.isTrue(await bobPage.getByRole('button', { name: 'Camera off', exact: true }).isVisible())
    await until(() => peerStats(alicePage), receivingEverything(1), 20_000, "alice to decode bob's video")
    const seen = await until(() => tileVideo(alicePage, bob.id), (video) => video.shown && video.width > 0, 10_000, "bob's video on alice's tile")
    assert.isAbove(seen.width, 0)
    assert.deepEqual(errors, [])
    assert.deepEqual(await cspViolations(bobPage), [])
  })

  test("bob's microphone is unplugged mid-call: his other microphone takes over and alice keeps hearing him", async ({ assert }) => {
    const { alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    const lost = await unplugMicrophone(bobPage, { noOther: false })

    const problem = bobPage.locator('[role="alert"] .device-problem[data-device="microphone"]')
    await problem.waitFor()
    const sentence = (await problem.locator('.device-problem__message').textContent()) ?? ''
    assert.match(sentence, /^Your microphone was disconnected, so Confab switched to .+\.$/)
    const now = await until(() => sentTrack(bobPage, 'audio'), (sent) => Boolean(sent.label) && sent.label !== lost, 5000, 'another microphone on air')
    assert.include(sentence, now.label!)
    assert.isTrue(await bobPage.getByRole('button', { name: 'Mute', exact: true }).isVisible())
    const before = (await peerStats(alicePage))[0]!.audioPackets
    await until(() => peerStats(alicePage), ([peer]) => peer!.audioPackets > before + 20, 10_000, 'alice to keep hearing bob')

    await problem.getByRole('button', { name: 'Dismiss' }).click()
    await problem.waitFor({ state: 'detached' })
  })

  test("bob's only microphone is unplugged: he is told, his mic button says so, alice sees him muted; plugging it back brings his voice", async ({ assert }) => {
    const { bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    await unplugMicrophone(bobPage, { noOther: true })

    const problem = bobPage.locator('[role="alert"] .device-problem[data-device="microphone"]')
    await problem.waitFor()
    assert.equal(
      await problem.locator('.device-problem__message').textContent(),
      "Your microphone was disconnected: plug it back in or choose another microphone, then Try again. Until then, others can't hear you."
    )
    assert.isTrue(await bobPage.getByRole('button', { name: 'Microphone disconnected' }).isVisible())
    const bobOnAlice = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    await until(() => bobOnAlice.getAttribute('data-audio'), (audio) => audio === 'false', 5000, 'alice to see bob muted')
    assert.isTrue(await bobOnAlice.locator('[data-mark="muted"]').isVisible())

    // Plugged back in: the browser says the devices changed, and the microphone comes back by itself.
    await bobPage.evaluate(() => {
      ;(window as any).__microphoneGone = false
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'))
    })
    await problem.waitFor({ state: 'detached' })
    assert.isTrue(await bobPage.getByRole('button', { name: 'Mute', exact: true }).isVisible())
    await until(() => bobOnAlice.getAttribute('data-audio'), (audio) => audio === 'true', 5000, 'alice to see bob unmuted')
    const before = (await peerStats(alicePage))[0]!.audioPackets
    await until(() => peerStats(alicePage), ([peer]) => peer!.audioPackets > before + 20, 10_000, 'alice to hear bob again')
  })

  test("bob takes back the camera permission mid-call: he is told how to allow it again, alice sees his initials, not a frozen frame", async ({ assert }) => {
    const { bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    await bobPage.evaluate(() => {
      // What Chromium does when the site's camera permission is switched off: the state turns
      // 'denied' and the camera's track ends.
      const query = navigator.permissions.query.bind(navigator.permissions)
      navigator.permissions.query = async (descriptor) =>
        descriptor.name === ('camera' as PermissionName) ? ({ state: 'denied' } as PermissionStatus) : query(descriptor)
      const track: MediaStreamTrack = (window as any).confabCall.media.stream.getVideoTracks()[0]
      track.stop()
      track.dispatchEvent(new Event('ended'))
    })

    const problem = bobPage.locator('[role="alert"] .device-problem[data-device="camera"]')
    await problem.waitFor()
    assert.equal(
      await problem.locator('.device-problem__message').textContent(),
      "Confab lost access to your camera: allow it in the address bar's site settings, then Try again. Until then, others see your initials."
    )
    assert.isTrue(await bobPage.getByRole('button', { name: 'Camera blocked' }).isVisible())
    const bobOnAlice = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    await until(() => bobOnAlice.getAttribute('data-video'), (video) => video === 'false', 5000, "alice to see bob's camera off")
    assert.isTrue(await bobOnAlice.locator('.tile__initials').isVisible())
    assert.isFalse((await tileVideo(alicePage, bob.id)).shown)
    assert.equal(await bobOnAlice.getAttribute('data-audio'), 'true', 'his microphone is not affected')
  })

  test('bob blocks both devices: clear messages, no crash, and he still sees and hears alice and can leave', async ({ assert }) => {
    const { bob, alicePage, bobPage, callId, errors } = await callWithTroubledBob(permissionDenied)
    await until(() => peerStats(bobPage), receivingEverything(1), 30_000, 'bob to receive alice')

    const alert = bobPage.locator('[role="alert"].device-problems')
    await alert.locator('.device-problem').nth(1).waitFor()
    assert.deepEqual(await alert.locator('.device-problem__message').allTextContents(), [
      "Confab can't use your microphone: allow it in the address bar's site settings, then Try again. Until then, others can't hear you.",
      "Confab can't use your camera: allow it in the address bar's site settings, then Try again. Until then, others see your initials.",
    ])
    assert.isTrue(await bobPage.getByRole('button', { name: 'Microphone blocked' }).isVisible())
    assert.isTrue(await bobPage.getByRole('button', { name: 'Camera blocked' }).isVisible())
    const bobOnAlice = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    await until(async () => [await bobOnAlice.getAttribute('data-audio'), await bobOnAlice.getAttribute('data-video')], ([audio, video]) => audio === 'false' && video === 'false', 5000, 'alice to see bob muted, camera off')

    // Still blocked: trying again says the same; dismissing hides only that one.
    await bobPage.getByRole('button', { name: 'Microphone blocked' }).click()
    await alert.locator('.device-problem[data-device="camera"]').getByRole('button', { name: 'Dismiss' }).click()
    await alert.locator('.device-problem[data-device="camera"]').waitFor({ state: 'detached' })
    assert.lengthOf(await alert.locator('.device-problem[data-device="microphone"]').all(), 1)

    await Promise.all([bobPage.waitForURL('**/channels/*'), bobPage.getByRole('button', { name: 'Leave' }).click()])
    assert.notEqual((await snapshot(callId)).statuses[bob.id], 'joined')
    assert.deepEqual(errors, [])
    assert.deepEqual(await cspViolations(bobPage), [])
  })
})
