/** Latency summary in milliseconds: count, p50/p95/p99/max and mean. */
export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number }

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort()
  const count = sorted.length
  if (count === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN }
  const at = (q: number) => sorted[Math.min(count - 1, Math.ceil(q * count) - 1)]
  let total = 0
  for (const value of sorted) total += value
  return { count, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(sorted[count - 1]), mean: r(total / count) }
}

export function median(values: number[]) {
  return summarize(values).p50
}

function r(value: number) {
  return Number(value.toFixed(3))
}
