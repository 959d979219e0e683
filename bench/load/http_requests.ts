/*
| Load generator for the page and history benchmarks, in its own process (see LoadProcess):
| - `autocannon`: closed-loop load on one URL for a fixed time (autocannon from the npm registry),
|   with every response's latency kept, so p95 is exact rather than read off autocannon's buckets;
| - `sequential`: one request after another over a kept-alive connection, taking the paths in
|   turn, the way one person pages through their history.
*/
import http from 'node:http'
import autocannon from 'autocannon'
import { serveCommands } from '../lib/load_process.js'
import { summarize } from '../lib/stats.js'

type AutocannonRun = { url: string; headers: Record<string, string>; connections: number; durationSeconds: number }
type SequentialRun = { base: string; paths: string[]; headers: Record<string, string>; rounds: number; maxSeconds: number }

serveCommands({
  async autocannon({ url, headers, connections, durationSeconds }: AutocannonRun) {
    const latencies: number[] = []
    const statuses: Record<number, number> = {}
    const startedAt = performance.now()
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon({ url, headers, connections, duration: durationSeconds }, (error, done) => (error ? reject(error) : resolve(done)))
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        latencies.push(responseTime)
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
      })
    })
    const seconds = (performance.now() - startedAt) / 1000
    return {
      requestsPerSecond: latencies.length / seconds,
      latency: summarize(latencies),
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      bytesPerResponse: latencies.length ? result.throughput.total / latencies.length : 0,
    }
  },

  /** `rounds` rounds, or fewer when `maxSeconds` are up (a slow server must not stall the run). */
  async sequential({ base, paths, headers, rounds, maxSeconds }: SequentialRun) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const samples = paths.map(() => [] as number[])
    const statuses = paths.map(() => ({}) as Record<number, number>)
    const deadline = performance.now() + maxSeconds * 1000
    try {
      for (let round = 0; round < rounds && performance.now() < deadline; round++) {
        for (const [i, path] of paths.entries()) {
          const startedAt = performance.now()
          const status = await get(agent, base + path, headers)
          samples[i].push(performance.now() - startedAt)
          statuses[i][status] = (statuses[i][status] ?? 0) + 1
        }
      }
    } finally {
      agent.destroy()
    }
    return paths.map((path, i) => ({ path, latency: summarize(samples[i]), statuses: statuses[i] }))
  },
})

/** GET with the whole body read (the time a browser waits for the page), resolving its status. */
function get(agent: http.Agent, url: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        response.on('data', () => {})
        response.on('end', () => resolve(response.statusCode!))
        response.on('error', reject)
      })
      .on('error', reject)
  })
}
