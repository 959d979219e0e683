import env from '#start/env'

/**
 * The lower threshold of the hysteresis (CALL_BACK_TO_MESH_AT): a call on the SFU goes back to
 * the mesh when its joined participants drop to this many. Default 3, or less when
 * CALL_SFU_FROM is small, always at least two below it (a call of CALL_SFU_FROM - 1 stays where
 * it is, so one person leaving and coming back does not move everyone twice). null: never (also
 * when every call is on the SFU, CALL_SFU_FROM=0). A configured value not below CALL_SFU_FROM
 * stops the boot.
 */
export function backToMeshAt(sfuFrom: number | null, configured: number | 'off' | undefined): number | null {
  if (configured === 'off' || sfuFrom === null) return null
  if (configured === undefined) return sfuFrom >= 3 ? Math.min(3, sfuFrom - 2) : null
  if (configured >= sfuFrom) {
    throw new Error(
      `CALL_BACK_TO_MESH_AT must be below CALL_SFU_FROM (got ${configured}, CALL_SFU_FROM is ${sfuFrom}${sfuFrom === 0 ? ': every call is on the SFU, leave it unset' : ''})`
    )
  }
  return configured
}

/**
 * The Janus SFU that carries calls past the mesh (docs/sfu.md). No JANUS_URLS: mesh only, as
 * before. CALL_SFU_FROM is the participant count from which a call uses the SFU (`0` always;
 * `off` never, even with Janus configured); CALL_BACK_TO_MESH_AT the count at which it goes back.
 */
const janusUrls = env.get('JANUS_URLS') ?? []
const configuredFrom = env.get('CALL_SFU_FROM') ?? 5
const sfuFrom = janusUrls.length === 0 || configuredFrom === 'off' ? null : configuredFrom

export default {
  janusUrls,
  apiSecret: env.get('JANUS_API_SECRET')?.release() ?? '',
  /** null: the SFU is never used (not configured, or CALL_SFU_FROM=off). */
  sfuFrom,
  /** null: a call stays on the SFU until it ends. */
  backToMeshAt: backToMeshAt(sfuFrom, env.get('CALL_BACK_TO_MESH_AT')),
  /**
   * The largest call the mesh carries: a call on the SFU that loses its Janus goes back to the
   * mesh only up to this many (beyond, every page says why its media stopped).
   */
  meshMaxParticipants: 8,
  /** Keepalives well inside Janus's default 60 s session timeout. */
  keepaliveMs: 20_000,
  requestTimeoutMs: 10_000,
}
