/*
| The worker thread that decodes voice messages for their waveform (see waveform_thread.ts):
| one request at a time, answered with the peaks or the error's message.
*/
import { parentPort } from 'node:worker_threads'
import { waveformPeaks } from './waveform.js'
import type { OpusHead } from './opus.js'

type Request = { id: number; head: OpusHead; packets: Uint8Array[]; durationMs: number; bars: number }

parentPort!.on('message', async ({ id, head, packets, durationMs, bars }: Request) => {
  try {
    parentPort!.postMessage({ id, peaks: await waveformPeaks(head, packets, durationMs, bars) })
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message })
  }
})
