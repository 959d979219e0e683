import { stat } from 'node:fs/promises'
import { fileTypeFromFile } from 'file-type'
import { ByteReader } from '#media/byte_reader'
import { readWebm } from '#media/webm'
import { readOgg } from '#media/ogg'
import waveformThread from '#media/waveform_thread'
import { MediaProblem, type ContainerReport } from '#media/container_report'
import type { MediaKind } from '#config/media_messages'

/** What the server measured from a recording's bytes: what it stores and shows. */
export type RecordingFacts = {
  mimeType: 'audio/webm' | 'audio/ogg' | 'video/webm'
  extension: 'webm' | 'ogg'
  durationMs: number
  /** Voice only. */
  peaks: number[] | null
}

export type ProbeOptions = { maxSeconds: number; stopLagMs: number; bars: number }

/**
 * Judges an uploaded recording by its bytes alone (docs/media_messages.md): its type sniffed by
 * file-type, its tracks and length read from the container, and for voice the waveform decoded
 * from its Opus packets. Throws MediaProblem with the sentence the composer shows.
 */
export async function probeRecording(path: string, kind: MediaKind, options: ProbeOptions): Promise<RecordingFacts> {
  const { size } = await stat(path)
  if (size === 0) throw MediaProblem.empty()
  const sniffed = await fileTypeFromFile(path)
  const container = sniffed?.ext === 'webm' || sniffed?.ext === 'mkv' ? 'webm' : sniffed && ['opus', 'ogg', 'oga'].includes(sniffed.ext) ? 'ogg' : null
  if (!container) throw MediaProblem.notMedia()

  const reader = await ByteReader.open(path)
  let report: ContainerReport
  try {
    report = container === 'webm' ? await readWebm(reader, kind === 'voice') : await readOgg(reader, kind === 'voice')
  } finally {
    await reader.close()
  }

  if (kind === 'voice' && (report.audioTracks !== 1 || report.videoTracks !== 0 || report.otherTracks !== 0)) {
    throw MediaProblem.notVoice()
  }
  if (kind === 'video') {
    if (report.videoTracks < 1 || report.audioTracks > 1) throw MediaProblem.notVideo()
    // No browser records Ogg video (Theora); nobody's player would be asked to play one.
    if (report.container === 'ogg') throw MediaProblem.unsupported('Ogg video')
  }
  if (report.durationMs <= 0) throw MediaProblem.tooShort()
  if (report.durationMs > options.maxSeconds * 1000 + options.stopLagMs) throw MediaProblem.tooLong(kind, options.maxSeconds)

  const peaks = kind === 'voice' ? await waveformThread.peaks(report.opus!.head, report.opus!.packets, report.durationMs, options.bars) : null
  const mimeType = kind === 'video' ? 'video/webm' : report.container === 'ogg' ? 'audio/ogg' : 'audio/webm'
  return { mimeType, extension: report.container, durationMs: report.durationMs, peaks }
}
