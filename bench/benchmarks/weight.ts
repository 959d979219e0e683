import { gzipSync } from 'node:zlib'
import { ConfabServer, freshSqlite } from '../lib/confab.js'
import { BenchDb } from '../lib/bench_db.js'
import { Report, target } from '../lib/report.js'
import type { Benchmark } from '../run.js'

const PORT = 3440

/** The scripts and stylesheets a page loads: its `<script src>`, module preloads and stylesheets. */
function assetsOf(html: string) {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g), ...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((match) => match[1])
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((match) => match[1])
  return { scripts: [...new Set(scripts)], styles: [...new Set(styles)] }
}

/** Weight of what the channel page and the call room page load, gzipped at level 9 as a CDN would. */
async function run() {
  const report = new Report('weight', 'Weight: gzipped JavaScript and CSS per page')
  const server = new ConfabServer(PORT, freshSqlite('weight'))
  server.migrate()
  const db = await BenchDb.open(server.database)
  const [alice, bob] = await db.people(2)
  const channelId = await db.channel('weight', [alice, bob])
  const callId = await db.liveCall(channelId, [alice, bob])
  await db.close()
  await server.start()
  try {
    const cookie = server.cookieFor(alice)
    const rows = []
    const sizes: Record<string, number> = {}
    for (const [page, path] of [
      ['channel page', `/channels/${channelId}`],
      ['call room', `/calls/${callId}`],
    ]) {
      const response = await fetch(server.url + path, { headers: { cookie }, redirect: 'manual' })
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
      const { scripts, styles } = assetsOf(await response.text())
      if (!scripts.length) throw new Error(`${path} loads no script: the asset scan is out of date`)
      const weigh = async (urls: string[]) => {
        let raw = 0
        let gzipped = 0
        for (const url of urls) {
          const asset = Buffer.from(await (await fetch(new URL(url, server.url))).arrayBuffer())
          raw += asset.length
          gzipped += gzipSync(asset, { level: 9 }).length
        }
        return { raw, gzipped }
      }
      const js = await weigh(scripts)
      const css = await weigh(styles)
      sizes[page] = js.gzipped
      rows.push({ page, files: scripts.length + styles.length, 'JS KB': kb(js.raw), 'JS KB gzip': kb(js.gzipped), 'CSS KB': kb(css.raw), 'CSS KB gzip': kb(css.gzipped) })
    }
    report.table('What each page loads (production build)', rows)
    report.check(target('call room page: gzipped JavaScript', kb(sizes['call room']), '<=', 70, ' KB'))
  } finally {
    await server.stop()
  }
  return report.finish()
}

function kb(bytes: number) {
  return Number((bytes / 1024).toFixed(1))
}

export default { name: 'weight', title: 'Weight', run } satisfies Benchmark
