/**
 * An HTTP `Range` header (RFC 9110 §14) for a file of `size` bytes: null for none (the whole
 * file), an inclusive range, or 'unsatisfiable' (416) for one outside the file or that cannot
 * be read. One range only: media players ask for one; several would need multipart/byteranges.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined || header === '') return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return 'unsatisfiable'
  const [, first, last] = match
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last)
    if (length === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - length), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}
