import { test } from '@japa/runner'
import { execFileSync } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import { AppProcess } from '#tests/helpers/app_process'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { chromiumForGroup, cspViolations, until } from '#tests/helpers/browser'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Content-Security-Policy in Chromium', (group) => {
  withCleanDatabase(group)
  const open = chromiumForGroup(group)

  test('a channel works under the policy: htmx posts, Alpine wires, Transmit delivers, nothing is refused', async ({ assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const alicePage = await open(alice!, baseUrl(), `/channels/${channel.id}`)
    const bobPage = await open(bob!, baseUrl(), `/channels/${channel.id}`)

    // Every Alpine expression on the page goes through the CSP build's parser: one it cannot
    // handle logs "Alpine Expression Error" and throws (a page error).
    const complaints: string[] = []
    const consoleLines: string[] = []
    alicePage.on('console', (message) => {
      consoleLines.push(message.text())
      if (message.text().includes('Alpine')) complaints.push(message.text())
    })
    alicePage.on('pageerror', (error) => complaints.push(error.message))

    // The policy itself: nonce-based scripts, no eval, no inline scripts or styles.
    const response = await alicePage.reload()
    const policy = response!.headers()['content-security-policy'] ?? ''
    assert.match(policy, /script-src 'self' 'nonce-[\w-]+'/)
    assert.notMatch(policy, /unsafe-inline|unsafe-eval/)
    const nonce = /'nonce-([\w-]+)'/.exec(policy)![1]
    const scriptNonces = await alicePage.$$eval('script', (scripts) => scripts.map((script) => script.nonce))
    assert.isAbove(scriptNonces.length, 0)
    assert.isTrue(scriptNonces.every((value) => value === nonce), 'every @vite script carries the nonce')

    // Alpine (CSP build): on a narrow screen the menu button toggles the sidebar.
    await alicePage.setViewportSize({ width: 480, height: 800 })
    const menu = alicePage.locator('.topbar__menu')
    assert.equal(await menu.getAttribute('aria-expanded'), 'false')
    await menu.click()
    await until(() => menu.getAttribute('aria-expanded'), (value) => value === 'true', 3000, 'the Alpine menu toggle')
    assert.include(await alicePage.getAttribute('#sidebar', 'class'), 'sidebar--open')
    await menu.click()
    await alicePage.setViewportSize({ width: 1000, height: 700 })

    // htmx: Enter in the composer posts the message and swaps it in; bob gets it over SSE.
    await alicePage.fill('#composer-body', 'Hello under a strict CSP')
    await alicePage.press('#composer-body', 'Enter')
    await alicePage.locator('#messages', { hasText: 'Hello under a strict CSP' }).waitFor({ timeout: 5000 })
    await bobPage.locator('#messages', { hasText: 'Hello under a strict CSP' }).waitFor({ timeout: 5000 })
    assert.equal(await alicePage.inputValue('#composer-body'), '')

    // Nothing the app itself does was refused (scripts, styles, Vite's HMR socket, SSE, fetches).
    await until(async () => consoleLines, (lines) => lines.includes('[vite] connected.'), 5000, "Vite's HMR socket connected")
    assert.deepEqual(complaints, [])
    assert.deepEqual(await cspViolations(alicePage), [])
    assert.deepEqual(await cspViolations(bobPage), [])
  }).timeout(60_000)

  test('an injected inline script or handler does not run, and the browser reports it', async ({ assert }) => {
    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const page = await open(alice!, baseUrl(), `/channels/${channel.id}`)

    await page.evaluate(() => {
      // What an XSS that slipped through escaping would insert: a script element, an inline
      // event handler, and markup with a script (as an htmx swap of a poisoned fragment would).
      const script = document.createElement('script')
      script.textContent = '(window as any).pwnedByScript = true'.replace(' as any', '')
      document.body.appendChild(script)
      const holder = document.createElement('div')
      holder.innerHTML = '<img src="/favicon.svg?x" onload="window.pwnedByHandler = true">'
      document.body.appendChild(holder)
      const fragment = document.createRange().createContextualFragment('<script>window.pwnedByFragment = true</script>')
      document.body.appendChild(fragment)
    })
    await until(() => cspViolations(page), (violations) => violations.length >= 3, 5000, 'three CSP violation reports')

    const ran = await page.evaluate(() => [(window as any).pwnedByScript, (window as any).pwnedByHandler, (window as any).pwnedByFragment])
    assert.deepEqual(ran, [undefined, undefined, undefined])
    const violations = await cspViolations(page)
    assert.lengthOf(violations.filter((violation) => violation.startsWith('script-src-elem blocked inline')), 2, violations.join('\n'))
    assert.lengthOf(violations.filter((violation) => violation.startsWith('script-src-attr blocked inline')), 1, violations.join('\n'))
  }).timeout(60_000)

  test('the production build (vite build) runs under the same policy', async ({ assert, cleanup }) => {
    // Vite's production assets into public/assets, as `npm run build` makes them; a server
    // without the dev server (web environment, no DEV_MODE) serves them through the manifest.
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { cwd: app.makePath(), stdio: 'pipe' })
    const server = new AppProcess(3446, { NODE_ENV: 'test', SQLITE_PATH: app.tmpPath('test.sqlite3') })
    cleanup(() => server.stop())
    await server.ready('/up')

    const [alice] = await people(1)
    const channel = await channelWith([alice!])
    const page = await open(alice!, server.url, `/channels/${channel.id}`)
    const policy = (await page.reload())!.headers()['content-security-policy'] ?? ''
    assert.notMatch(policy, /unsafe-inline|unsafe-eval|:24\d{3}/)
    const scripts = await page.$$eval('script', (elements) => elements.map((script) => ({ src: script.getAttribute('src'), nonce: script.nonce })))
    assert.isTrue(scripts.length > 0 && scripts.every((script) => /^\/assets\/app-[\w-]+\.js$/.test(script.src ?? '') && script.nonce), JSON.stringify(scripts))

    await page.fill('#composer-body', 'Hello from the production build')
    await page.press('#composer-body', 'Enter')
    await page.locator('#messages', { hasText: 'Hello from the production build' }).waitFor({ timeout: 5000 })
    assert.deepEqual(await cspViolations(page), [])
  }).timeout(90_000)
})
