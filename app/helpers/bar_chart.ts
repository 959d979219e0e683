/** One bar of a server-rendered SVG bar chart, in the chart's own units (its viewBox). */
export type Bar = {
  x: number
  y: number
  width: number
  height: number
  /** Where the value and the label are written, centred on the bar. */
  middle: number
  /** What the bar stands for, machine-readable (a day: 2026-12-01), written as `data-key`. */
  key: string
  value: number
  label: string
  /** The bar's tooltip and accessible text: "Tuesday 1 December: 3 calls". */
  title: string
}

export type BarChart = { width: number; height: number; baseline: number; bars: Bar[] }

const WIDTH = 700
const HEIGHT = 180
/** Room under the bars for their labels, and above the tallest for its value. */
const LABEL_ROOM = 22
const VALUE_ROOM = 16

/**
 * The geometry of a bar chart, computed here so the Edge template only writes <rect> and <text>
 * (docs/admin.md: why no charting library). Bars scale to the largest value; a zero stays a
 * zero-height bar with its value written, so an empty day still reads as 0.
 */
export function barChart(points: Array<Pick<Bar, 'key' | 'value' | 'label' | 'title'>>): BarChart {
  const baseline = HEIGHT - LABEL_ROOM
  const plot = baseline - VALUE_ROOM
  const max = Math.max(1, ...points.map((point) => point.value))
  const slot = WIDTH / Math.max(1, points.length)
  const bars = points.map((point, index) => {
    const height = Math.round((point.value / max) * plot)
    const x = index * slot + slot * 0.15
    return { ...point, x: round(x), width: round(slot * 0.7), y: baseline - height, height, middle: round(index * slot + slot / 2) }
  })
  return { width: WIDTH, height: HEIGHT, baseline, bars }
}

function round(value: number) {
  return Math.round(value * 10) / 10
}
