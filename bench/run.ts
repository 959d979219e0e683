/*
| `npm run bench [name...]`: runs Confab's benchmarks one after another (see bench/README.md),
| prints each one's table and targets, and writes bench/results/<name>.json plus summary.json.
| With names, runs only those (e.g. `npm run bench -- signaling weight`). The soak (10 minutes
| and more) runs only when named: `npm run bench -- soak`.
*/
import { writeFileSync } from 'node:fs'
import { machine, printTable, type Report } from './lib/report.js'

export type Benchmark = { name: string; title: string; run: () => Promise<Report> }

const ALL = ['weight', 'signaling', 'ring', 'fanout', 'pages', 'history', 'browser', 'sfu']
/** Benchmarks that run only when named. */
const ON_REQUEST = ['soak']

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const unknown = requested.filter((name) => !ALL.includes(name) && !ON_REQUEST.includes(name))
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${[...ALL, ...ON_REQUEST].join(', ')}`)
  process.exit(2)
}

const startedAt = Date.now()
const reports: Report[] = []
const failures: { benchmark: string; error: string }[] = []
for (const name of requested.length ? requested : ALL) {
  const { default: benchmark } = (await import(`./benchmarks/${name}.js`)) as { default: Benchmark }
  try {
    reports.push(await benchmark.run())
  } catch (error: any) {
    console.error(`\n${name} failed: ${error?.stack ?? error}`)
    failures.push({ benchmark: name, error: String(error?.message ?? error) })
  }
}

const targets = reports.flatMap((report) => report.targets.map((check) => ({ benchmark: report.name, ...check })))
console.log(`\n## Summary: every target of this run (${((Date.now() - startedAt) / 60_000).toFixed(1)} min)`)
printTable(
  targets.map((check) => ({
    benchmark: check.benchmark,
    target: check.target,
    value: check.value === null ? 'n/a' : `${check.value}${check.unit}`,
    goal: `${check.comparison} ${check.limit}${check.unit}`,
    result: check.met === null ? 'not measured' : check.met ? 'met' : 'MISSED',
  }))
)
writeFileSync(
  new URL('./results/summary.json', import.meta.url),
  JSON.stringify({ date: new Date(), minutes: (Date.now() - startedAt) / 60_000, machine: machine(), targets, failures }, null, 2) + '\n'
)
if (failures.length) {
  console.error(`\n${failures.length} benchmark(s) failed: ${failures.map((failure) => failure.benchmark).join(', ')}`)
  process.exitCode = 1
}
