import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'

const RESULTS_DIR = new URL('../results/', import.meta.url)

/** A target from the issue, checked against a figure of this run. */
export type TargetCheck = { target: string; value: number | null; limit: number; unit: string; comparison: '<=' | '>='; met: boolean | null; note?: string }

export function target(target: string, value: number | null, comparison: '<=' | '>=', limit: number, unit = '', note?: string): TargetCheck {
  const met = value === null || Number.isNaN(value) ? null : comparison === '<=' ? value <= limit : value >= limit
  return { target, value: value === null ? null : Number(value.toFixed(3)), limit, unit, comparison, met, note }
}

/**
 * One benchmark's results: tables for people (printed) and for machines (JSON in bench/results/,
 * one file per benchmark, overwritten by the next run).
 */
export class Report {
  readonly tables: { title: string; rows: Record<string, unknown>[] }[] = []
  readonly targets: TargetCheck[] = []
  readonly notes: string[] = []
  readonly startedAt = new Date()

  constructor(readonly name: string, readonly title: string) {
    console.log(`\n## ${title}`)
  }

  table(title: string, rows: Record<string, unknown>[]) {
    this.tables.push({ title, rows })
    console.log(`\n${title}`)
    printTable(rows)
  }

  /** A table kept for bench/results/<name>.json only (a long series), not printed. */
  record(title: string, rows: Record<string, unknown>[]) {
    this.tables.push({ title, rows })
  }

  check(...checks: TargetCheck[]) {
    this.targets.push(...checks)
  }

  note(text: string) {
    this.notes.push(text)
    console.log(`note: ${text}`)
  }

  /** Prints the targets next to the figures and writes bench/results/<name>.json. */
  finish() {
    if (this.targets.length) {
      console.log(`\nTargets (${this.title})`)
      printTable(
        this.targets.map((check) => ({
          target: check.target,
          value: check.value === null ? 'n/a' : `${check.value}${check.unit}`,
          goal: `${check.comparison} ${check.limit}${check.unit}`,
          result: check.met === null ? 'not measured' : check.met ? 'met' : 'MISSED',
          ...(check.note ? { note: check.note } : {}),
        }))
      )
    }
    mkdirSync(RESULTS_DIR, { recursive: true })
    const file = new URL(`${this.name}.json`, RESULTS_DIR)
    writeFileSync(
      file,
      JSON.stringify(
        { benchmark: this.name, title: this.title, startedAt: this.startedAt, finishedAt: new Date(), machine: machine(), tables: this.tables, targets: this.targets, notes: this.notes },
        null,
        2
      ) + '\n'
    )
    return this
  }
}

export function machine() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() }
}

export function printTable(rows: Record<string, unknown>[]) {
  if (!rows.length) return console.log('(no rows)')
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'number' ? String(Number(value.toFixed(3))) : String(value))
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)))
  const line = (values: string[]) => '| ' + values.map((value, i) => value.padEnd(widths[i])).join(' | ') + ' |'
  console.log(line(columns))
  console.log('|' + widths.map((width) => '-'.repeat(width + 2)).join('|') + '|')
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))))
}
