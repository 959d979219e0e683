import env from '#start/env'
import sfuConfig from '#config/sfu'

/** A full mesh sends every stream to everyone: past 16 no laptop keeps up, whatever the setting. */
const MESH_LIMIT = 16
const configuredMax = env.get('CALL_MAX_PARTICIPANTS')
if (configuredMax !== undefined && configuredMax > MESH_LIMIT && sfuConfig.sfuFrom === null) {
  throw new Error(
    `CALL_MAX_PARTICIPANTS above ${MESH_LIMIT} needs the SFU (JANUS_URLS, and CALL_SFU_FROM not off): a mesh sends every stream to everyone (got ${configuredMax})`
  )
}

/** How calls ring. See docs/calls.md for the behaviour these drive. */
export default {
  /** Seconds a call rings before whoever has not answered gets a missed call (10-120). */
  ringTimeoutSeconds: env.get('CALL_RING_TIMEOUT') ?? 30,
  /** Channels with more members than this do not ring: members see a "Join" banner instead. */
  ringMaxMembers: env.get('CALL_RING_MAX_MEMBERS') ?? 10,
  /** Calls one person may start per minute. */
  startsPerMinute: env.get('CALL_STARTS_PER_MINUTE') ?? 10,
  /** The most people in one call: 25 with the SFU, 8 on a mesh only (everyone sends to everyone). */
  maxParticipants: configuredMax ?? (sfuConfig.sfuFrom === null ? 8 : 25),
  /** Whether calls can use the SFU here: a full call says so when they cannot. */
  meshOnly: sfuConfig.sfuFrom === null,
  /** Seconds a dropped call socket keeps its place before the person counts as gone. */
  reconnectGraceSeconds: env.get('CALL_RECONNECT_GRACE') ?? 20,
  /** Server pings each call socket this often; one that has not answered the previous ping is dropped. */
  pingIntervalMs: 10_000,
  /** Frames one socket may send: a burst, then a steady rate per second. */
  frameBurst: 200,
  framesPerSecond: 50,
  /** Reactions one socket may send, on top of the frame limit: a burst, then one a second. Past it: `rate_limited`, the socket stays. */
  reactionBurst: 5,
  reactionsPerSecond: 1,
  /**
   * Frames (and their bytes) a socket may send before it is admitted (the checks take a few
   * database reads); past either it is closed with 4008. The frames are held in memory meanwhile.
   */
  earlyFrames: 200,
  earlyBytes: 1024 * 1024,
  /**
   * Bytes the server may queue for one socket that reads too slowly (ws `bufferedAmount`); the
   * next frame past it closes the socket with 4503 ("reconnect") instead of queueing more.
   */
  maxBufferedBytes: env.get('CALL_SOCKET_MAX_BUFFERED') ?? 1024 * 1024,
  /** A refused or lagging socket whose close handshake has not finished by then is dropped. */
  refusedCloseMs: 1_000,
  slowCloseMs: 5_000,
  /** Seconds after leaving (or the call's end) a browser's last quality report is still taken. */
  qualityReportGraceSeconds: 60,
  /** How often the sweeper looks for rings past their deadline (the safety net behind timers). */
  sweepIntervalMs: 5_000,
}
