import { bounded, counter, histogram } from '#metrics/registry'

const KINDS = ['voice', 'video'] as const

/** Every refusal code of a media upload (app/media/container_report.ts), as a bounded label. */
export const MEDIA_REFUSAL_CODES = [
  'E_MEDIA_EMPTY',
  'E_MEDIA_MISSING',
  'E_MEDIA_TYPE',
  'E_MEDIA_CORRUPT',
  'E_MEDIA_TRUNCATED',
  'E_MEDIA_UNSUPPORTED',
  'E_MEDIA_NOT_VOICE',
  'E_MEDIA_NOT_VIDEO',
  'E_MEDIA_TOO_LONG',
  'E_MEDIA_TOO_LARGE',
  'E_MEDIA_KIND',
  'E_UPLOAD_ABORTED',
] as const

const posted = counter({
  name: 'confab_media_messages_total',
  help: 'Voice and video messages posted, by kind',
  labelNames: ['kind'],
})
const refused = counter({
  name: 'confab_media_uploads_refused_total',
  help: 'Voice and video uploads refused, by reason (rate limits are in confab_rate_limit_refusals_total)',
  labelNames: ['code'],
})
const probeSeconds = histogram({
  name: 'confab_media_probe_seconds',
  help: 'Seconds to judge a received recording (type, container walk, waveform for voice), by kind',
  labelNames: ['kind'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
})
for (const kind of KINDS) posted.inc({ kind }, 0)
for (const code of MEDIA_REFUSAL_CODES) refused.inc({ code }, 0)

/** A media message was posted; its recording took `seconds` to judge. */
export function recordMediaPosted(kind: (typeof KINDS)[number], seconds: number) {
  posted.inc({ kind })
  probeSeconds.observe({ kind }, seconds)
}

/** An upload was refused with `code` (an E_MEDIA_* code). */
export function recordMediaRefused(code: string | undefined) {
  refused.inc({ code: bounded(MEDIA_REFUSAL_CODES, code) })
}
