import { test } from '@japa/runner'
import { withCleanDatabase } from '#tests/helpers/world'
import { until, chromiumForGroup, connectedPairOn } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Hands, reactions and the keyboard in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('bob raises his hand with H: alice sees it and lists him first; alice, the initiator, lowers it', async ({ assert }) => {
    const { alice, bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    const bobTile = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    const firstListed = async () => alicePage.locator('#call-participants > li').first().getAttribute('data-user-id')
    assert.equal(await firstListed(), String(alice.id), 'the server lists alice first')

    await bobPage.locator('h1').click()
    await bobPage.keyboard.press('h')
    await bobTile.locator('[data-mark="hand"]').waitFor({ state: 'visible', timeout: 5000 })
    assert.equal(await bobTile.locator('[data-mark="hand"]').getAttribute('aria-label'), `${bob.fullName} raised a hand`)
    await until(firstListed, (id) => id === String(bob.id), 5000, 'bob listed first')
    const listed = alicePage.locator(`#call-participants > li[data-user-id="${bob.id}"]`)
    assert.equal(await listed.getByRole('img', { name: 'Hand raised' }).count(), 1)
    assert.equal(await bobPage.locator('[data-control="hand"]').getAttribute('aria-pressed'), 'true')

    await bobTile.getByRole('button', { name: `Lower ${bob.fullName}'s hand` }).click()
    await bobPage.locator(`.tile[data-user-id="${bob.id}"] [data-mark="hand"]`).waitFor({ state: 'hidden', timeout: 5000 })
    await bobTile.locator('[data-mark="hand"]').waitFor({ state: 'hidden', timeout: 5000 })
    await until(firstListed, (id) => id === String(alice.id), 5000, 'alice listed first again')
    assert.equal(await listed.getByRole('img', { name: 'Hand raised' }).count(), 0)
    assert.equal(await bobPage.locator('[data-control="hand"]').getAttribute('aria-pressed'), 'false')
  })

  test('bob sends 👏: it floats on his tile on alice\'s page, then goes', async ({ assert }) => {
    const { bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    const menu = bobPage.locator('[data-control="reactions"]')
    await menu.locator('summary', { hasText: 'React' }).click()
    await bobPage.getByRole('button', { name: 'React with 👏' }).click()
    const floating = alicePage.locator(`.tile[data-user-id="${bob.id}"] [data-reaction]`)
    await floating.waitFor({ state: 'visible', timeout: 5000 })
    assert.equal(await floating.textContent(), '👏')
    await floating.waitFor({ state: 'detached', timeout: 10_000 })
    // Escape closes the reactions menu.
    assert.isTrue(await menu.evaluate((element: HTMLDetailsElement) => element.open))
    await bobPage.keyboard.press('Escape')
    assert.isFalse(await menu.evaluate((element: HTMLDetailsElement) => element.open))
  })

  test('M mutes from the keyboard, but an "m" typed into a field does not', async ({ assert }) => {
    const { bob, alicePage, bobPage } = await connectedPairOn(open, baseUrl())
    // The room has no text field of its own until the chat panel comes (issue 15 item 2): a
    // field added to the page stands for it.
    await bobPage.evaluate(() => {
      const field = document.createElement('input')
      field.id = 'typing-here'
      document.querySelector('.stage')!.append(field)
    })
    await bobPage.locator('#typing-here').type('m')
    assert.equal(await bobPage.locator('#typing-here').inputValue(), 'm')
    await bobPage.locator('h1').click()
    // Had the "m" in the field muted, this would unmute: the end state tells which.
    await bobPage.keyboard.press('m')

    const bobTile = alicePage.locator(`.tile[data-user-id="${bob.id}"]`)
    await until(() => bobTile.getAttribute('data-audio'), (audio) => audio === 'false', 5000, "bob's tile to show him muted")
    assert.isTrue(await bobTile.locator('[data-mark="muted"]').isVisible())
    assert.equal(await bobPage.getByRole('button', { name: 'Unmute', exact: true }).getAttribute('aria-pressed'), 'true')
  })
})
