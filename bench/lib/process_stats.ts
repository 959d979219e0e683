import { readFileSync } from 'node:fs'

const CLOCK_TICKS_PER_SECOND = 100 // USER_HZ on Linux x86_64

/** CPU time (user + system, seconds) and resident memory (bytes) of a process, from /proc. */
export function processUsage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const bytes = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024
  // RssAnon is the process's own memory (heap, buffers, malloc); RssFile is code and files mapped in.
  return { cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND, rssBytes: bytes('VmRSS'), rssAnonBytes: bytes('RssAnon'), rssFileBytes: bytes('RssFile') }
}

/**
 * Measures a process over a stretch of work: CPU share of one core (1.0 = one core busy) and
 * the highest RSS seen, sampled every 100 ms.
 */
export class ProcessMeter {
  #start: ReturnType<typeof processUsage>
  #startedAt = performance.now()
  #peakRss: number
  #timer: NodeJS.Timeout

  constructor(readonly pid: number) {
    this.#start = processUsage(pid)
    this.#peakRss = this.#start.rssBytes
    this.#timer = setInterval(() => {
      try {
        this.#peakRss = Math.max(this.#peakRss, processUsage(pid).rssBytes)
      } catch {}
    }, 100)
    // A benchmark that fails mid-measure never calls stop(): its meter must not keep the run alive.
    this.#timer.unref()
  }

  stop() {
    clearInterval(this.#timer)
    const end = processUsage(this.pid)
    const seconds = (performance.now() - this.#startedAt) / 1000
    return {
      cpuCores: round((end.cpuSeconds - this.#start.cpuSeconds) / seconds, 2),
      rssMb: round(end.rssBytes / 2 ** 20, 1),
      peakRssMb: round(Math.max(this.#peakRss, end.rssBytes) / 2 ** 20, 1),
    }
  }
}

function round(value: number, digits: number) {
  return Number(value.toFixed(digits))
}

/** Runs `work` while metering these processes; their CPU and RSS come back in the same order. */
export async function meterDuring<T>(pids: number[], work: () => Promise<T>) {
  const meters = pids.map((pid) => new ProcessMeter(pid))
  const result = await work()
  return { result, usages: meters.map((meter) => meter.stop()) }
}
