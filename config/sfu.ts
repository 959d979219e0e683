import env from '#start/env'

/**
 * The Janus SFU that carries calls past the mesh (docs/sfu.md). No JANUS_URLS: mesh only, as
 * before. CALL_SFU_FROM is the participant count from which a call uses the SFU (`0` always;
 * `off` never, even with Janus configured).
 */
const janusUrls = env.get('JANUS_URLS') ?? []
const sfuFrom = env.get('CALL_SFU_FROM') ?? 5

export default {
  janusUrls,
  apiSecret: env.get('JANUS_API_SECRET')?.release() ?? '',
  /** null: the SFU is never used (not configured, or CALL_SFU_FROM=off). */
  sfuFrom: janusUrls.length === 0 || sfuFrom === 'off' ? null : sfuFrom,
  /** Keepalives well inside Janus's default 60 s session timeout. */
  keepaliveMs: 20_000,
  requestTimeoutMs: 10_000,
}
