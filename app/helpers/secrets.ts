import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Whether `given` (from a request) is `secret`, in constant time: both sides are hashed first,
 * so the comparison takes the same time whatever the length or the first wrong character of a
 * guess. No secret configured, or nothing given, is never a match.
 */
export function matchesSecret(given: string | undefined | null, secret: string | undefined) {
  if (!secret || !given) return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(secret))
}
