import type { ByteReader } from '#media/byte_reader'
import { parseOpusHead, type OpusHead } from '#media/opus'
import { MediaProblem, type ContainerReport } from '#media/container_report'

/*
| A walker over Ogg pages (RFC 3533) for what Firefox's MediaRecorder writes as audio/ogg: one
| Opus stream (RFC 7845). The length comes from the granule position of the stream's last page
| (48 kHz samples, less the pre-skip), which Ogg carries on every page.
*/

const CAPTURE = 'OggS'
const HEADER_LENGTH = 27
const FLAG_CONTINUED = 0x01

type Stream = { serial: number; kind: 'opus' | 'video' | 'other'; head: OpusHead | null; lastGranule: bigint; packets: number }

/** What the first packet of a logical stream says it carries. */
function streamKind(packet: Buffer): Stream['kind'] {
  if (packet.subarray(0, 8).toString('latin1') === 'OpusHead') return 'opus'
  const name = packet.subarray(1, 7).toString('latin1')
  if (name === 'theora' || packet.subarray(0, 5).toString('latin1') === 'OVP80') return 'video'
  return 'other'
}

/**
 * Walks an Ogg file page by page: its logical streams, the Opus stream's length and
 * (`collectAudio`) its audio packets for the waveform. Throws MediaProblem for what is not a
 * whole, well-formed Ogg file.
 */
export async function readOgg(reader: ByteReader, collectAudio: boolean): Promise<ContainerReport> {
  const streams = new Map<number, Stream>()
  const packets: Uint8Array[] = []
  // The packet being put together across segments and pages, per stream.
  const pending = new Map<number, Buffer[]>()
  let position = 0

  while (position < reader.size) {
    const header = await reader.bytes(position, HEADER_LENGTH)
    if (header.length < HEADER_LENGTH) throw MediaProblem.truncated()
    if (header.subarray(0, 4).toString('latin1') !== CAPTURE || header[4] !== 0) throw MediaProblem.corrupt()
    const flags = header[5]!
    const granule = header.readBigInt64LE(6)
    const serial = header.readUInt32LE(14)
    const segmentCount = header[26]!
    const table = await reader.bytes(position + HEADER_LENGTH, segmentCount)
    if (table.length < segmentCount) throw MediaProblem.truncated()
    const bodyLength = table.reduce((sum, lacing) => sum + lacing, 0)
    const bodyStart = position + HEADER_LENGTH + segmentCount
    if (bodyStart + bodyLength > reader.size) throw MediaProblem.truncated()

    let stream = streams.get(serial)
    const wantsBody = !stream || stream.packets < 2 || (collectAudio && stream.kind === 'opus')
    const body = wantsBody ? await reader.bytes(bodyStart, bodyLength) : null
    if (!(flags & FLAG_CONTINUED)) pending.delete(serial)

    let offset = 0
    let parts = pending.get(serial) ?? []
    for (const lacing of table) {
      if (body) parts.push(body.subarray(offset, offset + lacing))
      offset += lacing
      if (lacing === 255) continue
      // A packet ends with this segment.
      const packet = Buffer.concat(parts)
      parts = []
      if (!stream) {
        const kind = streamKind(packet)
        stream = { serial, kind, head: kind === 'opus' ? parseOpusHead(packet) : null, lastGranule: -1n, packets: 0 }
        if (kind === 'opus' && !stream.head) throw MediaProblem.corrupt()
        streams.set(serial, stream)
      } else if (stream.kind === 'opus' && stream.packets >= 2 && collectAudio) {
        // Packets 0 and 1 are OpusHead and OpusTags; the audio comes after.
        packets.push(Uint8Array.from(packet))
      }
      stream.packets++
    }
    pending.set(serial, parts)
    if (stream && granule !== -1n) stream.lastGranule = granule
    position = bodyStart + bodyLength
  }

  const all = [...streams.values()]
  const opusStreams = all.filter((stream) => stream.kind === 'opus')
  const videoStreams = all.filter((stream) => stream.kind === 'video')
  const opus = opusStreams[0]
  if (all.length === 0) throw MediaProblem.corrupt()
  const samples = opus && opus.lastGranule > 0n ? Number(opus.lastGranule) - opus.head!.preSkip : 0

  return {
    container: 'ogg',
    audioTracks: opusStreams.length,
    videoTracks: videoStreams.length,
    otherTracks: all.length - opusStreams.length - videoStreams.length,
    durationMs: Math.max(0, Math.round(samples / 48)),
    opus: opus ? { head: opus.head!, packets } : null,
  }
}
