import { gauge } from '#metrics/registry'

let countStreams = () => 0

/** SSE streams this instance holds, counted by LiveStreams at each scrape. Per instance: sum(). */
gauge({
  name: 'confab_sse_streams',
  help: 'Server-Sent Events streams open on this instance',
  collect() {
    this.set(countStreams())
  },
})

/** LiveStreams tells how to count its streams (it imports this module, not the other way round). */
export function measureSseStreamsWith(count: () => number) {
  countStreams = count
}
