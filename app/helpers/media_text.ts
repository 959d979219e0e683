/*
| Sentences about voice and video messages that the server's refusals and the composer's own
| checks share (imported by the browser bundle too: no server imports here).
*/

/** "A voice message can be at most 8 MB. Record a shorter one." (the 413's message) */
export function mediaTooLargeText(kind: 'voice' | 'video', maxBytes: number) {
  const size = maxBytes < 1024 * 1024 ? `${Math.round(maxBytes / 1024)} KB` : `${Math.round((maxBytes / (1024 * 1024)) * 10) / 10} MB`
  return `A ${kind} message can be at most ${size}. Record a shorter one.`
}
