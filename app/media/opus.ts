/*
| What the server needs to know about Opus (RFC 6716, RFC 7845) without decoding: how much time
| one packet covers (its TOC byte) and the stream's header (OpusHead: channels, pre-skip).
*/

/** Frame lengths in 1/10 ms by TOC configuration (RFC 6716 §3.1: SILK, hybrid, CELT). */
const FRAME_TENTHS_MS = [
  100, 200, 400, 600, 100, 200, 400, 600, 100, 200, 400, 600, // SILK NB/MB/WB
  100, 200, 100, 200, // hybrid SWB/FB
  25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200, // CELT
]

/** How many microseconds of audio one Opus packet holds, or null when it is not a valid packet. */
export function opusPacketMicros(packet: Uint8Array): number | null {
  if (packet.length === 0) return null
  const toc = packet[0]!
  const frameTenths = FRAME_TENTHS_MS[toc >> 3]!
  const code = toc & 0x03
  let frames: number
  if (code === 0) frames = 1
  else if (code === 1 || code === 2) frames = 2
  else {
    if (packet.length < 2) return null
    frames = packet[1]! & 0x3f
    if (frames === 0) return null
  }
  const micros = frames * frameTenths * 100
  // A packet never holds more than 120 ms (RFC 6716 §3.2.5).
  return micros <= 120_000 ? micros : null
}

export type OpusHead = { channels: number; preSkip: number }

/** Parses an OpusHead (Ogg's first packet, WebM's CodecPrivate), or null when it is not one. */
export function parseOpusHead(bytes: Uint8Array): OpusHead | null {
  if (bytes.length < 19) return null
  if (Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== 'OpusHead') return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const channels = bytes[9]!
  if (channels === 0) return null
  return { channels, preSkip: view.getUint16(10, true) }
}
