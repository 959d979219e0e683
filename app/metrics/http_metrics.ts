import { bounded, histogram } from '#metrics/registry'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/**
 * Time to answer each request the router saw, by route pattern (`/channels/:id`, never the raw
 * URL, whose ids would make a series per channel), `unmatched` for a path no route has. Up to
 * the response being handed to Node: an SSE stream counts until it is open, not while it lasts.
 * Static files, Vite and `/metrics` itself are answered before and not counted. Per instance.
 */
const requestDuration = histogram({
  name: 'confab_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
})

/** One answered request. `route` is the matched route's pattern, if any. */
export function recordRequest(method: string, route: string | undefined, status: number, seconds: number) {
  requestDuration.observe(
    { method: bounded(METHODS, method), route: route ?? 'unmatched', status: statusLabel(status) },
    seconds
  )
}

function statusLabel(status: number) {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other'
}
