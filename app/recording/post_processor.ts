import { mkdir, readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { mixArguments, type MixInput, type Tile } from '#recording/mix_plan'
import { recordingTools, ToolFailed } from '#recording/recording_tools'

/** A track as the post-processing sees it: the base path Janus was given. */
export type TrackFiles = { basePath: string }

/** What came out: the mixed WebM and what ffprobe measured of it. */
export type MixedRecording = { path: string; durationMs: number; width: number | null; height: number | null; audio: boolean }

/**
 * Janus's `.mjr` files of a recording to one WebM: each file converted by janus-pp-rec (Opus to
 * .opus, VP8 to .webm), its first packet's time read from its header (`janus-pp-rec --json`,
 * field `u`), then everything mixed by ffmpeg (mix_plan.ts). The .mjr files are only read and
 * each attempt writes into a folder of its own, so a job can simply run again after a crash.
 */
export class PostProcessor {
  constructor(private tile: Tile) {}

  /** Converts into `outDir` (its own per attempt: a killed process's ffmpeg may still be writing the last one's). */
  async mix(tracks: TrackFiles[], outDir: string): Promise<MixedRecording> {
    await mkdir(outDir, { recursive: true })
    const output = join(outDir, 'mixed.webm')
    const inputs: MixInput[] = []
    for (const file of await this.#mjrFiles(tracks)) {
      const converted = await this.#convert(file, outDir)
      if (converted) inputs.push(converted)
    }
    if (inputs.length === 0) throw new ToolFailed('Janus recorded no media for anyone who agreed')
    await recordingTools.run(recordingTools.ffmpeg, mixArguments(inputs, output, this.tile))
    return { path: output, ...(await probe(output)) }
  }

  /** The .mjr files Janus wrote for these tracks: `<base>-audio-<mindex>.mjr`, `<base>-video-<mindex>.mjr`. */
  async #mjrFiles(tracks: TrackFiles[]) {
    const files: { path: string; kind: 'audio' | 'video' }[] = []
    for (const { basePath } of tracks) {
      const folder = dirname(basePath)
      const names = await readdir(folder).catch(() => [] as string[])
      for (const name of names.sort()) {
        const match = new RegExp(`^${escape(basename(basePath))}-(audio|video)-\\d+\\.mjr$`).exec(name)
        if (match) files.push({ path: join(folder, name), kind: match[1] as 'audio' | 'video' })
      }
    }
    return files
  }

  /** One .mjr to a playable file; null for one with no packets (a stream that never sent media). */
  async #convert(file: { path: string; kind: 'audio' | 'video' }, outDir: string): Promise<MixInput | null> {
    let header: { u?: number; s?: number }
    try {
      header = JSON.parse(await recordingTools.run(recordingTools.ppRec, ['--json', file.path]))
    } catch {
      return null
    }
    const firstPacketUs = header.u ?? header.s
    if (!firstPacketUs) return null
    const out = join(outDir, basename(file.path).replace(/\.mjr$/, file.kind === 'audio' ? '.opus' : '.webm'))
    try {
      await recordingTools.run(recordingTools.ppRec, [file.path, out])
    } catch (error) {
      // An empty stream (the camera was off) gives janus-pp-rec nothing to write.
      if (file.kind === 'video') return null
      throw error
    }
    return { path: out, kind: file.kind, firstPacketUs }
  }
}

/** Duration, video size and whether there is audio, as ffprobe reads them from the bytes. */
export async function probe(path: string) {
  const report = JSON.parse(
    await recordingTools.run(recordingTools.ffprobe, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height', '-of', 'json', path])
  )
  const video = (report.streams ?? []).find((stream: any) => stream.codec_type === 'video')
  return {
    durationMs: Math.round(Number(report.format?.duration ?? 0) * 1000),
    width: video?.width ?? null,
    height: video?.height ?? null,
    audio: (report.streams ?? []).some((stream: any) => stream.codec_type === 'audio'),
  }
}

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
