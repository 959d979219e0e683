/** One bar of a voice message's waveform, in the SVG's own units (its viewBox). */
export type WaveformBar = { x: number; y: number; width: number; height: number }

export type Waveform = { width: number; height: number; bars: WaveformBar[] }

const BAR_WIDTH = 2
const GAP = 1
const HEIGHT = 24
/** Silence still shows as a line, so the picture reads as a recording, not a gap. */
const MIN_HEIGHT = 1

/**
 * The geometry of a voice message's waveform (peaks 0..1 as the server measured them), bars
 * centred on the middle line, computed here so the Edge template only writes <rect>s, as the
 * activity page's bar chart does (app/helpers/bar_chart.ts).
 */
export function waveform(peaks: number[]): Waveform {
  const bars = peaks.map((peak, index) => {
    const height = Math.max(MIN_HEIGHT, Math.round(Math.min(1, Math.max(0, peak)) * HEIGHT))
    return { x: index * (BAR_WIDTH + GAP), y: (HEIGHT - height) / 2, width: BAR_WIDTH, height }
  })
  return { width: Math.max(1, peaks.length * (BAR_WIDTH + GAP) - GAP), height: HEIGHT, bars }
}

/** A recording's length as a player writes it: 3140 ms is "0:03". */
export function mediaDurationText(durationMs: number) {
  const seconds = Math.round(durationMs / 1000)
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
