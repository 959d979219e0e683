import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import Membership from '#models/membership'
import Message from '#models/message'
import { withCleanDatabase } from '#tests/helpers/world'
import { chromiumForGroup, connectedPairOn, cspViolations, until } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const DESKTOP = { width: 1280, height: 720 }
const PHONE = { width: 390, height: 844 }

/** Opens `page` again at this size, as someone on that screen would (the room rejoins). */
async function atSize(page: Page, size: { width: number; height: number }) {
  await page.setViewportSize(size)
  await page.reload()
  await page.waitForFunction(() => (window as any).confabCall)
}

type Box = { x: number; y: number; width: number; height: number }

/**
 * Where each person's tile is on screen, by user id, once every tile has a size and the layout
 * has settled: all tiles are read in one go in the page, twice, a few frames apart, and only two
 * equal readings count (a resize or a new tile relays the stage out over the next frames).
 */
async function tileBoxes(page: Page, count: number) {
  const { boxes } = await until(
    async () => {
      const readings = await page.evaluate(async () => {
        const read = () =>
          [...document.querySelectorAll<HTMLElement>('.tile')].map((tile) => {
            const { x, y, width, height } = tile.getBoundingClientRect()
            return { userId: Number(tile.dataset.userId), box: { x, y, width, height } }
          })
        const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve))
        const first = read()
        await nextFrame()
        await nextFrame()
        await new Promise((resolve) => setTimeout(resolve, 100))
        return { first, second: read() }
      })
      const boxes = new Map(readings.second.filter(({ box }) => box.width > 0).map(({ userId, box }) => [userId, box]))
      return { boxes, settled: JSON.stringify(readings.first) === JSON.stringify(readings.second) }
    },
    ({ boxes, settled }) => settled && boxes.size === count,
    10_000,
    `${count} tiles laid out`
  )
  return boxes
}

const inside = (box: Box, viewport: { width: number; height: number }) =>
  box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5

/** Waits until `userId`'s tile is the large one: at least twice as wide as every other tile. */
function bigTile(page: Page, userId: number, count: number, what: string) {
  return until(
    () => tileBoxes(page, count),
    (boxes) => [...boxes].every(([id, box]) => id === userId || boxes.get(userId)!.width >= 2 * box.width),
    10_000,
    what
  )
}

/** Waits until every tile has the same size (the grid). */
function evenTiles(page: Page, count: number, what: string) {
  return until(
    () => tileBoxes(page, count),
    // Same width and height: a tile whose video has not told its size yet is not laid out.
    (boxes) => new Set([...boxes.values()].map((box) => `${Math.round(box.width)}x${Math.round(box.height)}`)).size === 1,
    10_000,
    what
  )
}

test.group('The call room layout in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('at 1280×720 two people sit side by side, each a good share of the stage, the controls on screen', async ({ assert }) => {
    const { alice, bob, alicePage } = await connectedPairOn(open, baseUrl())
    await atSize(alicePage, DESKTOP)

    const boxes = await evenTiles(alicePage, 2, 'two even tiles')
    const stage = (await alicePage.locator('.stage__area').boundingBox())!
    const mine = boxes.get(alice.id)!
    const bobs = boxes.get(bob.id)!
    assert.approximately(mine.y, bobs.y, 1, 'side by side')
    for (const box of [mine, bobs]) {
      assert.isTrue(inside(box, DESKTOP), `tile ${JSON.stringify(box)} inside the viewport`)
      assert.isAtLeast(box.width, 0.4 * stage.width)
      assert.approximately(box.width / box.height, 16 / 9, 0.05)
    }
    assert.isTrue(inside((await alicePage.getByRole('toolbar', { name: 'Call controls' }).boundingBox())!, DESKTOP))
    assert.isTrue(await alicePage.locator(`.tile[data-user-id="${bob.id}"] .tile__name`, { hasText: bob.fullName }).isVisible())
    // The chat is open beside the call on a desktop.
    assert.isTrue(await alicePage.locator('#call-chat #composer-body').isVisible())
    // The tile sizes are CSS variables set through the CSSOM, which the style policy allows.
    assert.deepEqual(await cspViolations(alicePage), [])
  })

  test('at 390×844 the tiles stack inside the screen and the control bar stays in reach after scrolling', async ({ assert }) => {
    const { bob, bobPage } = await connectedPairOn(open, baseUrl())
    await bobPage.setViewportSize(PHONE)

    const boxes = await tileBoxes(bobPage, 2)
    const [first, second] = [...boxes.values()].sort((a, b) => a.y - b.y)
    assert.isAbove(second!.y, first!.y + first!.height - 1, 'one above the other')
    for (const box of boxes.values()) {
      assert.isTrue(inside(box, PHONE), `tile ${JSON.stringify(box)} inside the viewport`)
      assert.isAtLeast(box.width, 0.8 * PHONE.width)
    }
    // Scroll everything that scrolls to its end (the people list is below the stage).
    await bobPage.evaluate(() => {
      document.querySelectorAll('.main, .call-room__main').forEach((element) => (element.scrollTop = element.scrollHeight))
      window.scrollTo(0, document.body.scrollHeight)
    })
    assert.isAbove(await bobPage.locator('.call-room__main').evaluate((element) => element.scrollTop), 0, 'the page did scroll')
    const bar = bobPage.getByRole('toolbar', { name: 'Call controls' })
    assert.isTrue(inside((await bar.boundingBox())!, PHONE), 'the bar inside the viewport')
    for (const name of ['Mute', 'Camera off', 'Share screen', 'Chat', 'Leave']) {
      const button = bar.getByRole('button', { name, exact: true })
      assert.isTrue(inside((await button.boundingBox())!, PHONE), `${name} on screen`)
    }
    await bar.getByRole('button', { name: 'Mute', exact: true }).click()
    await bar.getByRole('button', { name: 'Unmute', exact: true }).waitFor()

    // A browser without getDisplayMedia (most phones) gets no Share button.
    await bobPage.context().addInitScript(() => {
      delete (MediaDevices.prototype as any).getDisplayMedia
    })
    await bobPage.reload()
    await bobPage.waitForFunction(() => (window as any).confabCall)
    await bar.getByRole('button', { name: 'Leave' }).waitFor()
    assert.isFalse(await bar.getByRole('button', { name: 'Share screen' }).isVisible())
    assert.isTrue(await bobPage.locator(`.tile[data-user-id="${bob.id}"]`).isVisible())
  })

  test('speaker view makes the other person large; a pin wins over it; unpinning and grid view undo it', async () => {
    const { alice, bob, alicePage } = await connectedPairOn(open, baseUrl())
    await alicePage.setViewportSize(DESKTOP)
    await evenTiles(alicePage, 2, 'the grid first')

    await alicePage.getByRole('button', { name: 'Speaker view' }).click()
    await bigTile(alicePage, bob.id, 2, "bob's tile large in speaker view")

    await alicePage.getByRole('button', { name: 'Pin yourself' }).click()
    await bigTile(alicePage, alice.id, 2, 'my pinned tile large')
    await alicePage.getByRole('button', { name: 'Unpin yourself' }).click()
    await bigTile(alicePage, bob.id, 2, "bob's tile large again")

    await alicePage.getByRole('button', { name: 'Grid view' }).click()
    await evenTiles(alicePage, 2, 'the grid again')
  })

  test("bob's shared screen takes alice's stage by itself, and gives it back when he stops", async () => {
    const { bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    await alicePage.setViewportSize(DESKTOP)
    await evenTiles(alicePage, 2, 'the grid first')

    await bobPage.getByRole('button', { name: 'Share screen' }).click()
    await bigTile(alicePage, bob.id, 2, "bob's screen large")
    await bobPage.getByRole('button', { name: 'Stop sharing' }).click()
    await evenTiles(alicePage, 2, 'the grid again')
  })

  test('chat beside the call: messages arrive live both ways, and what the panel shows is marked read', async ({ assert }) => {
    const { alice, bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    const channelId = (await Membership.query().where({ userId: bob.id }).firstOrFail()).channelId
    await atSize(alicePage, DESKTOP)
    await bobPage.goto(`/channels/${channelId}`)

    // Bob writes on the channel page: it shows up in alice's panel beside the call.
    await bobPage.fill('#composer-body', 'Can you see my message in the call?')
    await bobPage.press('#composer-body', 'Enter')
    const panel = alicePage.locator('#call-chat')
    await panel.locator('.message__body', { hasText: 'Can you see my message in the call?' }).waitFor()
    const bobsMessage = await Message.query().where({ channelId, userId: bob.id }).firstOrFail()
    await until(
      () => Membership.query().where({ channelId, userId: alice.id }).firstOrFail(),
      (membership) => membership.lastReadMessageId === bobsMessage.id,
      5000,
      "alice's read marker on the message her open panel shows"
    )

    // Alice answers from the panel: bob sees it on the channel page.
    await panel.locator('#composer-body').fill('Yes, right beside you')
    await panel.getByRole('button', { name: 'Send' }).click()
    await bobPage.locator('#messages .message__body', { hasText: 'Yes, right beside you' }).waitFor()
    assert.equal(await panel.locator('#composer-body').inputValue(), '')
    assert.equal(await panel.locator('.message__body', { hasText: 'Yes, right beside you' }).count(), 1)
  })

  test('on a phone the chat is a drawer: closed, a new message stays unread; opened, it shows and is marked read', async ({ assert }) => {
    const { alice, bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    const channelId = (await Membership.query().where({ userId: alice.id }).firstOrFail()).channelId
    await atSize(alicePage, PHONE)
    const panel = alicePage.locator('#call-chat')
    assert.isFalse(await panel.isVisible(), 'the drawer starts closed on a phone')

    await bobPage.goto(`/channels/${channelId}`)
    await bobPage.fill('#composer-body', 'Are you there?')
    await bobPage.press('#composer-body', 'Enter')
    await panel.locator('.message__body', { hasText: 'Are you there?' }).waitFor({ state: 'attached' })
    const message = await Message.query().where({ channelId, userId: bob.id }).firstOrFail()
    const marker = async () => (await Membership.query().where({ channelId, userId: alice.id }).firstOrFail()).lastReadMessageId
    assert.notEqual(await marker(), message.id, 'not read while the drawer is closed')

    await alicePage.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Chat' }).click()
    const shown = panel.locator('.message__body', { hasText: 'Are you there?' })
    await shown.waitFor()
    assert.isTrue(inside((await shown.boundingBox())!, PHONE))
    await until(marker, (id) => id === message.id, 5000, 'marked read once the drawer shows it')
    await panel.getByRole('button', { name: 'Close chat' }).click()
    await panel.waitFor({ state: 'hidden' })
  })
})
