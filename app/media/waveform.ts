import { OpusDecoder } from 'opus-decoder'
import type { OpusHead } from '#media/opus'

/*
| A voice message's waveform: the loudness of each of N equal slices of the recording, 0..1.
| The Opus packets are decoded with opus-decoder (libopus compiled to WebAssembly, from the
| wasm-audio-decoders project; no ffmpeg), at 8 kHz: plenty for a picture of loudness, and six
| times less memory than 48 kHz. Only the running maximum of each slice is kept. It runs in a
| worker thread (waveform_thread.ts): two minutes of voice take about a second of CPU to decode,
| which the call sockets and event streams of the main thread must not wait for.
*/

const SAMPLE_RATE = 8000
/** Packets handed to the decoder at once (a few seconds of audio). */
const BATCH = 50

/** Peaks of `bars` slices of `durationMs`, scaled so the loudest slice is 1 (silence stays 0). */
export async function waveformPeaks(head: OpusHead, packets: Uint8Array[], durationMs: number, bars: number) {
  const peaks = new Array<number>(bars).fill(0)
  const totalSamples = Math.max(1, Math.round((durationMs / 1000) * SAMPLE_RATE))
  // Multichannel Opus (more than two channels) needs a mapping table; a voice is mono or stereo.
  const decoder = new OpusDecoder({ channels: Math.min(head.channels, 2), sampleRate: SAMPLE_RATE, preSkip: 0 })
  await decoder.ready
  const skip = Math.round((head.preSkip * SAMPLE_RATE) / 48_000)
  let sample = -skip
  try {
    for (let start = 0; start < packets.length; start += BATCH) {
      const { channelData, samplesDecoded } = decoder.decodeFrames(packets.slice(start, start + BATCH))
      for (let index = 0; index < samplesDecoded; index++, sample++) {
        if (sample < 0) continue
        let level = 0
        for (const channel of channelData) level = Math.max(level, Math.abs(channel[index]!))
        const bar = Math.min(bars - 1, Math.floor((sample / totalSamples) * bars))
        if (level > peaks[bar]!) peaks[bar] = level
      }
    }
  } finally {
    decoder.free()
  }
  const loudest = Math.max(...peaks)
  return peaks.map((peak) => (loudest > 0 ? Math.round((peak / loudest) * 100) / 100 : 0))
}
