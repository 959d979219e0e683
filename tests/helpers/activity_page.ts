import { DateTime } from 'luxon'

/** One figure of the admins' Activity page (`data-figure="calls-today"` ...), as shown. */
export function activityFigure(html: string, name: string) {
  const match = html.match(new RegExp(`data-figure="${name}">\\s*<dt>[^<]*</dt>\\s*<dd>([^<]*)</dd>`))
  if (!match) throw new Error(`No figure "${name}" on the Activity page`)
  return match[1]!.trim()
}

/** The value written on the chart's bar for that day (the server's local date). */
export function chartValue(html: string, day: Date) {
  const key = DateTime.fromJSDate(day).toISODate()
  const match = html.match(new RegExp(`data-key="${key}" data-value="(\\d+)">[\\s\\S]*?class="chart__value"[^>]*>(\\d+)</text>`))
  if (!match) throw new Error(`No bar for ${key} on the Activity page`)
  if (match[1] !== match[2]) throw new Error(`The bar for ${key} says ${match[2]} but stands for ${match[1]}`)
  return Number(match[2])
}
