import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { BrowserlessClient } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { chromiumForGroup, cspViolations } from '#tests/helpers/browser'
import { fixturePath, uploadMedia, withCleanMediaStorage } from '#tests/helpers/media'
import type { Page } from 'playwright-core'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Alice posts a recording (as her composer would) and returns the server's answer. */
async function posted(email: string, channelId: number, kind: 'voice' | 'video', fixture: string, type: string) {
  const alice = await new BrowserlessClient(baseUrl()).login(email, TEST_PASSWORD)
  const response = await uploadMedia(alice, channelId, kind, await readFile(fixturePath(fixture)), { type })
  if (response.status !== 201) throw new Error(`Upload answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as { id: number; durationMs: number }
}

/** The statuses and Range headers of the page's requests for a message's file. */
function mediaRequests(page: Page, id: number) {
  const seen: Array<{ range: string | undefined; status: number }> = []
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === `/messages/${id}/media`) {
      seen.push({ range: response.request().headers()['range'], status: response.status() })
    }
  })
  return seen
}

/**
 * Server side of issue 13 in real Chromium: what the server stores and streams is played by the
 * page's native element, to the end, and seeking works through Range requests. (The recorder and
 * the composer are tested in the client's own browser tests.)
 */
test.group('Media messages: playback of what the server streams (Chromium)', (group) => {
  withCleanDatabase(group)
  withCleanMediaStorage(group)
  const open = chromiumForGroup(group)

  test("Chromium's own voice recording plays to the end and seeks; its length there matches the server's", async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const message = await posted(alice!.email, channel.id, 'voice', 'chromium_voice.webm', 'audio/webm')
    const page = await open(bob!, baseUrl(), '/channels')
    const requests = mediaRequests(page, message.id)
    await page.goto(`/channels/${channel.id}`)

    const audio = page.locator(`#message-${message.id} audio`)
    await audio.waitFor()
    const played = await audio.evaluate(async (element: HTMLAudioElement) => {
      await element.play()
      await new Promise((resolve, reject) => {
        element.onended = resolve
        element.onerror = () => reject(new Error(`media error ${element.error?.code}`))
      })
      return { duration: element.duration, currentTime: element.currentTime }
    })
    assert.closeTo(played.currentTime * 1000, message.durationMs, 500)
    assert.closeTo(played.duration * 1000, message.durationMs, 500)

    const seeked = await audio.evaluate(async (element: HTMLAudioElement) => {
      element.currentTime = 1.5
      await new Promise((resolve) => (element.onseeked = resolve))
      return element.currentTime
    })
    assert.closeTo(seeked, 1.5, 0.1)
    assert.isTrue(requests.some((request) => request.range !== undefined && request.status === 206), JSON.stringify(requests))
    assert.isTrue(requests.every((request) => [200, 206].includes(request.status)), JSON.stringify(requests))
    assert.deepEqual(await cspViolations(page), [])
  })

  test("Firefox's Ogg voice and Chromium's video play to the end in a member's page", async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const voice = await posted(alice!.email, channel.id, 'voice', 'firefox_voice.ogg', 'audio/ogg')
    const video = await posted(alice!.email, channel.id, 'video', 'chromium_video.webm', 'video/webm')
    const page = await open(bob!, baseUrl(), `/channels/${channel.id}`)

    const playToEnd = async (element: HTMLMediaElement) => {
      element.muted = true
      await element.play()
      await new Promise((resolve, reject) => {
        element.onended = resolve
        element.onerror = () => reject(new Error(`media error ${element.error?.code}`))
      })
      return { currentTime: element.currentTime, width: (element as HTMLVideoElement).videoWidth ?? 0 }
    }
    const voiceEnd = await page.locator(`#message-${voice.id} audio`).evaluate(playToEnd)
    assert.closeTo(voiceEnd.currentTime * 1000, voice.durationMs, 500)
    const videoEnd = await page.locator(`#message-${video.id} video[playsinline]`).evaluate(playToEnd)
    assert.closeTo(videoEnd.currentTime * 1000, video.durationMs, 500)
    assert.equal(videoEnd.width, 320)
    assert.equal(await page.locator(`#message-${video.id} .message__duration`).getAttribute('data-duration-ms'), String(video.durationMs))
  })

  test("a non-member's page gets 404 for the file", async ({ assert }) => {
    const [alice, mallory] = await people(2)
    const channel = await channelWith([alice!], 'private')
    const message = await posted(alice!.email, channel.id, 'voice', 'chromium_voice.webm', 'audio/webm')
    const page = await open(mallory!, baseUrl(), '/channels')
    const status = await page.evaluate(async (url) => (await fetch(url)).status, `/messages/${message.id}/media`)
    assert.equal(status, 404)
  })
})
