import { test } from '@japa/runner'
import { people, withCleanDatabase } from '#tests/helpers/world'
import { chromiumForGroup, cspViolations } from '#tests/helpers/browser'
import { tokenFetch } from '#tests/helpers/tokens'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Access tokens in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('the account page creates a token, shows it once, and revokes it, under the CSP', async ({ assert }) => {
    const [alice] = await people(1)
    const page = await open(alice!, baseUrl(), '/account')

    await page.fill('#field-name', 'Standup bot')
    await page.selectOption('#field-expiresIn', '365d')
    await page.click('button:has-text("Create token")')
    const value = await page.inputValue('#new-access-token-value')
    assert.match(value, /^oat_\S+$/)
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/access_tokens.png`, fullPage: true })
    assert.equal((await tokenFetch(value, '/calls/ringing')).status, 200)

    // Shown once: the page reached again no longer has it.
    await page.goto('/account')
    assert.equal(await page.locator('#new-access-token-value').count(), 0)
    assert.include(await page.locator('#access-token-list').textContent(), 'Standup bot')

    await page.click('#access-token-list button:has-text("Revoke")')
    await page.waitForSelector('#access-token-list :text("No access tokens.")')
    assert.equal((await tokenFetch(value, '/calls/ringing')).status, 401)
    assert.deepEqual(await cspViolations(page), [])
  })
})
