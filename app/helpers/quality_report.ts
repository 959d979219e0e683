/*
| The shape of a browser's call quality report (POST /calls/:id/quality_reports, docs/calls.md),
| shared by the server (validator, model, metrics) and the browser bundle (CallQualityReporter):
| constants and pure functions only, no imports.
*/

/** How a browser reached the other end: the candidate types of the selected ICE pair. */
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const
export type CandidateType = (typeof CANDIDATE_TYPES)[number]

/** Connect times above two minutes are refused: by then the connection had failed. */
export const MAX_CONNECT_MS = 120_000

/** The body of a report. */
export type QualityReport = {
  peerUserId: number
  /** Accept/Join click to the first remote media; only in the first report, only from the later joiner. */
  connectMs?: number | null
  localCandidateType: CandidateType
  remoteCandidateType: CandidateType
  rttMs?: number | null
  /** Since this page's previous report to the same peer (the first: since the connection began). */
  lossPercent?: number | null
  jitterMs?: number | null
  /** Counts since the previous report, so the server can add them up across reconnections. */
  framesDecoded?: number
  framesDropped?: number
  frameWidth?: number | null
  frameHeight?: number | null
}

/**
 * The type a connection counts as: `relay` when either end's candidate is a relay (the media
 * goes through TURN), else the local end's (what this browser's network gave it).
 */
export function pathType(local: CandidateType, remote: CandidateType): CandidateType {
  return local === 'relay' || remote === 'relay' ? 'relay' : local
}
