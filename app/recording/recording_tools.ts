import { execFile, spawnSync } from 'node:child_process'

/** A tool's failure, with the end of what it printed (kept on the recording as its failure). */
export class ToolFailed extends Error {}

/**
 * The command-line tools the post-processing needs: Debian's janus-tools (janus-pp-rec) and
 * ffmpeg/ffprobe. They are optional for Confab as a whole: without them recording is off and
 * says so (the README's two commands need neither).
 */
class RecordingTools {
  readonly ppRec = 'janus-pp-rec'
  readonly ffmpeg = 'ffmpeg'
  readonly ffprobe = 'ffprobe'
  #missing: string | null | undefined

  /** What is missing on this machine (null when all three run), looked at once per process. */
  missing(): string | null {
    if (this.#missing !== undefined) return this.#missing
    const absent = [
      [this.ppRec, '--help'],
      [this.ffmpeg, '-version'],
      [this.ffprobe, '-version'],
    ].filter(([command, flag]) => spawnSync(command!, [flag!], { stdio: 'ignore' }).status !== 0)
    this.#missing = absent.length ? `${absent.map(([command]) => command).join(', ')} not found (apt-get install ffmpeg janus-tools)` : null
    return this.#missing
  }

  /** Runs a tool to its end; a non-zero exit throws ToolFailed with the tail of its output. */
  run(command: string, args: string[], timeoutMs = 10 * 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) return reject(new ToolFailed(`${command} failed: ${(stderr || error.message).slice(-400)}`))
        resolve(stdout)
      })
    })
  }
}

export const recordingTools = new RecordingTools()
