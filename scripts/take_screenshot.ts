/*
| Takes the README's screenshot of the channel page with headless Chromium.
| Run `npm run dev` in one terminal, then `npm run screenshot` in another.
| Needs Chromium (`apt-get install -y chromium`) or CHROMIUM_PATH.
*/
import { chromium } from 'playwright-core'

const baseUrl = process.env.APP_URL ?? 'http://localhost:3333'
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 })
  await page.goto(`${baseUrl}/login`)
  await page.fill('#field-email', 'alice@example.com')
  await page.fill('#field-password', 'confab-demo')
  await Promise.all([page.waitForURL('**/channels'), page.click('button[type=submit]')])
  await page.click('.sidebar__link:has-text("general")')
  await page.waitForSelector('#messages .message')
  await page.screenshot({ path: 'docs/channel-page.png' })
  console.log('Saved docs/channel-page.png')
} finally {
  await browser.close()
}
