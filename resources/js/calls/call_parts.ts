import { SignalingClient } from './signaling_client.js'
import { LocalMedia } from './local_media.js'
import { Mesh } from './mesh.js'
import { SfuSession } from './sfu_session.js'
import { CallStage } from './call_stage.js'
import { dispatchCallEvent } from './call_events.js'
import { CallQualityReporter } from './call_quality_reporter.js'
import { takeCallClick } from './join_clock.js'
import { requestJson } from '../http.js'
import { Hands } from './hands.js'
import type { BuildCall } from './active_call.js'

/** What a page says when its call's media server is lost and the call is too large for the mesh. */
export const SFU_LOST_NOTICE =
  'The media server stopped working, and this call has too many people to connect everyone directly: video and sound from the others have stopped. Once the media server is back, leaving and rejoining the call brings them back.'

/**
 * Builds a call's live objects in the browser: LocalMedia, SignalingClient, Mesh, the CallStage
 * over them and the quality reporter. ActiveCall (active_call.ts) holds them for as long as the
 * person is in the call, whichever page shows it.
 */
export const buildCallParts: BuildCall = async (options, hooks) => {
  // Time to connect counts from the Accept/Join click on the previous page, else from this
  // page's load (a reload, a link).
  const reporter = new CallQualityReporter({
    joinedAt: takeCallClick(sessionStorage) ?? Math.round(performance.timeOrigin),
    send: (report) => requestJson('POST', options.qualityReportsUrl, report),
  })
  const media = new LocalMedia()
  await media.start(options.kind)

  const peerId = crypto.randomUUID()
  const origin = window.location.origin.replace(/^http/, 'ws')
  const signaling = new SignalingClient({ url: `${origin}${options.signalPath}?peer=${peerId}` })
  const log = (namespace: string, ...args: unknown[]) => {
    if (localStorage.getItem('debug')?.includes(namespace)) console.debug(namespace, ...args)
  }
  const createPeerConnection = (config: RTCConfiguration) => new RTCPeerConnection(config)
  // Used only if the server's welcome says this call goes through the SFU (docs/sfu.md).
  const sfu = () => new SfuSession({ send: (frame) => signaling.send(frame), createPeerConnection, log })
  const mesh = new Mesh({ signaling, media, createPeerConnection, sfu, log })
  const stage = new CallStage({ media, signaling, mesh })
  const hands = new Hands({ signaling })
  const self = { userId: 0, initiator: false }
  signaling.on('welcome', (frame) => {
    self.userId = frame.self.userId
    self.initiator = frame.call.initiatorId === frame.self.userId
  })
  stage.on('ended', (end) => {
    // The room's status line learns it here too, not only from the channel's SSE stream.
    if (end.callEnded) dispatchCallEvent('call-ended', { reason: end.reason })
    dispatchCallEvent('call-changed')
  })
  signaling.on('welcome', (frame) => reporter.joined(frame))
  mesh.on('change', () => reporter.track(mesh.sessions.map((session) => ({ userId: session.remoteUserId, source: session.pc }))))
  signaling.on('state', (state) => hooks.connection(state))
  signaling.on('error', (frame) => console.warn('call:signal', frame.code, frame.message))
  // The media server failing is said in the room, once: its tiles would otherwise just freeze.
  let sfuFailureTold = false
  signaling.on('error', (frame) => {
    if (frame.code !== 'sfu_unavailable' || sfuFailureTold) return
    sfuFailureTold = true
    hooks.notice('The media server stopped working: video and sound from the others may stop. Leave and rejoin the call to try again.')
  })
  // Its Janus lost, a call too large for direct connections cannot go on (docs/sfu.md, "Janus lost").
  signaling.on('error', (frame) => {
    if (frame.code === 'sfu_lost') hooks.notice(SFU_LOST_NOTICE)
  })
  signaling.connect()
  stage.measureEvery(2000)
  reporter.start()

  // A handle for debugging in the console (and for the browser tests' getStats checks).
  ;(window as any).confabCall = { mesh, signaling, media }
  return { media, stage, hands, self, close: () => reporter.close() }
}
