/*
| How the Activity pages word figures (docs/admin.md). A missing figure is "–", never 0.
*/

/** 0.834 -> "83%". */
export function formatShare(ratio: number | null) {
  return ratio === null ? '–' : `${Math.round(ratio * 100)}%`
}

/** 2.345 -> "2.3%" (already a percentage). */
export function formatPercent(percent: number | null) {
  return percent === null ? '–' : `${percent.toFixed(1)}%`
}

/** 840 -> "840 ms"; from a second on, "1.2 s". */
export function formatMs(ms: number | null) {
  if (ms === null) return '–'
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
