import { chromium } from 'playwright-core'
import { chromiumPath } from '#tests/browser_setting'

/**
 * Flags for headless Chromium with fake camera and microphone on loopback (see STACK.md):
 * without --allow-loopback-in-peer-connection no ICE candidate is gathered on 127.0.0.1.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  // Two fake cameras and microphones (device switching), and screen capture without a picker.
  '--use-fake-device-for-media-stream=device-count=2',
  '--auto-select-desktop-capture-source=Entire screen',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
]

/** Free of app imports, so bench/ can launch the same browser outside the test runner. */
export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS })
}

