import { existsSync } from 'node:fs'

/** Where Chromium is: CHROMIUM_PATH, else Debian's package. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Whether the browser suite runs. Without Chromium it is skipped with one line saying so and how
 * to enable it, unless REQUIRE_BROWSER=1 (set by .ci/run), which turns a missing browser into a
 * failure.
 */
export function browserSuiteSetting(): { run: boolean; message?: string } {
  if (existsSync(chromiumPath())) return { run: true }
  const hint = `Chromium not found at ${chromiumPath()}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(`The browser suite is required (REQUIRE_BROWSER=1). ${hint}`)
  }
  return { run: false, message: `Browser suite skipped. ${hint}` }
}
