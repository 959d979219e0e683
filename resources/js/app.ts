/*
| The browser entry point: htmx for server round-trips, Alpine for the few bits of DOM wiring,
| Transmit for live updates. Logic lives in small modules; this file only assembles them.
*/
import htmx from 'htmx.org'
// Alpine's CSP build: expressions are parsed, never eval'd, so the page needs no 'unsafe-eval'.
// It understands a safe subset (no arrow functions, template literals, `?.`, `??` or globals):
// anything more lives in the Alpine.data components.
import Alpine from '@alpinejs/csp'
import focus from '@alpinejs/focus'
import { Transmit } from '@adonisjs/transmit-client'
import { channelStream } from './alpine/channel_stream.js'
import { incomingCall } from './alpine/incoming_call.js'
import { notificationSetting } from './alpine/notification_setting.js'
import { callRoom } from './alpine/call_room.js'
import { callMedia } from './alpine/call_media.js'
import { callRecording } from './alpine/call_recording.js'
import { localizeTimes } from './local_time.js'
import { markCallClick } from './calls/join_clock.js'
import { callDock } from './alpine/call_dock.js'
import { mediaComposer } from './alpine/media_composer.js'
import { watchTimelinePlayers } from './messages/player_recovery.js'
import { CallRegistry } from './calls/active_call.js'
import { buildCallParts } from './calls/call_parts.js'
import { LiveChannels } from './live_channels.js'
import { boostInto } from './navigation.js'

declare global {
  interface Window {
    htmx: typeof htmx
    Alpine: typeof Alpine
  }
}

window.htmx = htmx
// htmx's bundled types omit `config`, hence the cast.
const htmxConfig = (htmx as unknown as { config: Record<string, unknown> }).config
// Errors are never swapped into the page: the component that sent the request shows them
// (the composer reads the 422's reasons).
htmxConfig.responseHandling = [
  { code: '204', swap: false },
  { code: '[23]..', swap: true },
  { code: '422', swap: false, error: true },
  { code: '[45]..', swap: false, error: true },
]
// Under the Content-Security-Policy: no eval (hx-on, js: values, trigger filters), no <script>
// run from swapped fragments, and no <style> element of htmx's own (its indicator rules live
// in app.css).
htmxConfig.allowEval = false
htmxConfig.allowScriptTags = false
htmxConfig.includeIndicatorStyles = false
boostInto(htmxConfig)

// Any instance accepts the (un)subscribe calls and forwards them to the one holding the stream,
// so no routing hint is needed (docs/deploy.md).
const transmit: Transmit = new Transmit({ baseUrl: window.location.origin })
// The components htmx swaps in and out share their channel subscriptions through this.
const live = new LiveChannels(transmit)
// The page's one call, outliving the room page's DOM (resources/js/calls/active_call.ts).
const calls = new CallRegistry(buildCallParts)
// A real unload (reload, another site): hang up cleanly; a reloaded page rejoins from the dock.
window.addEventListener('pagehide', () => calls.current?.close())

// The focus plugin's published types predate Alpine's own plugin type.
Alpine.plugin(focus as unknown as Parameters<typeof Alpine.plugin>[0])
Alpine.data('channelStream', channelStream(live))
Alpine.data('incomingCall', incomingCall(transmit))
Alpine.data('notificationSetting', notificationSetting)
Alpine.data('callRoom', callRoom(live))
Alpine.data('callMedia', callMedia(calls))
Alpine.data('callRecording', callRecording(live))
Alpine.data('callDock', callDock(calls))
Alpine.data('mediaComposer', mediaComposer)
window.Alpine = Alpine
Alpine.start()

localizeTimes(document)
watchTimelinePlayers(document)
document.addEventListener('htmx:afterSwap', (event) => localizeTimes(event.target as ParentNode))

// Join, Accept and call buttons (`data-call-click`): the call room measures its time to connect
// from this click (resources/js/calls/join_clock.ts).
document.addEventListener('click', (event) => {
  if ((event.target as Element | null)?.closest?.('[data-call-click]')) markCallClick(sessionStorage)
})
