import type { ByteReader } from '#media/byte_reader'
import { opusPacketMicros, parseOpusHead } from '#media/opus'
import { MediaProblem, type ContainerReport } from '#media/container_report'

/*
| A small walker over WebM (Matroska's EBML, https://www.matroska.org/technical/elements.html),
| for what the browsers' MediaRecorder writes. Chromium writes a Segment and Clusters of unknown
| size and no Duration (a live stream's layout), so the length is measured from the blocks'
| timestamps: the end of the last block, minus the first. music-metadata 12 throws on that layout
| (tested); ts-ebml 3 parses it (tried on tests/fixtures/media) but decodes every element with its
| bytes, video frames included, hence this walker: it reads only element headers and the audio
| track's blocks, from disk.
*/

const ID = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
} as const

/** Elements whose children the walk reads in line: their IDs never clash with their children's. */
const ENTERED = new Set<number>([ID.Cluster, ID.BlockGroup])
const TRACK_TYPE = { video: 1, audio: 2 }
const VIDEO_CODECS = new Set(['V_VP8', 'V_VP9', 'V_AV1', 'V_MPEG4/ISO/AVC'])

type Header = { id: number; size: number | null; headerLength: number }
type Track = { number: number; type: number; codec: string; codecPrivate: Buffer | null }

/** A variable-length integer: its length from the first byte's leading zeros (RFC 8794 §4). */
function readVint(bytes: Buffer, offset: number, keepMarker: boolean) {
  const first = bytes[offset]
  if (first === undefined || first === 0) return null
  const length = Math.clz32(first) - 23
  if (offset + length > bytes.length) return null
  let value = keepMarker ? first : first & (0xff >> length)
  let allOnes = value === (0xff >> length)
  for (let index = 1; index < length; index++) {
    const byte = bytes[offset + index]!
    value = value * 256 + byte
    allOnes &&= byte === 0xff
  }
  return { value, length, allOnes }
}

function readUint(bytes: Buffer) {
  let value = 0
  for (const byte of bytes) value = value * 256 + byte
  return value
}

async function readHeader(reader: ByteReader, position: number): Promise<Header | null> {
  const bytes = await reader.bytes(position, 12)
  const id = readVint(bytes, 0, true)
  if (!id || id.length > 4) return null
  const size = readVint(bytes, id.length, false)
  if (!size) return null
  return { id: id.value, size: size.allOnes ? null : size.value, headerLength: id.length + size.length }
}

/** The children of an element already in memory (Info, Tracks: small, with known sizes). */
function* children(bytes: Buffer) {
  let offset = 0
  while (offset < bytes.length) {
    const id = readVint(bytes, offset, true)
    const size = id && readVint(bytes, offset + id.length, false)
    if (!id || !size || size.allOnes) throw MediaProblem.corrupt()
    const start = offset + id.length + size.length
    if (start + size.value > bytes.length) throw MediaProblem.corrupt()
    yield { id: id.value, data: bytes.subarray(start, start + size.value) }
    offset = start + size.value
  }
}

function parseTracks(bytes: Buffer): Track[] {
  const tracks: Track[] = []
  for (const entry of children(bytes)) {
    if (entry.id !== ID.TrackEntry) continue
    const track: Track = { number: 0, type: 0, codec: '', codecPrivate: null }
    for (const field of children(entry.data)) {
      if (field.id === ID.TrackNumber) track.number = readUint(field.data)
      else if (field.id === ID.TrackType) track.type = readUint(field.data)
      else if (field.id === ID.CodecID) track.codec = field.data.toString('latin1').replace(/\0+$/, '')
      else if (field.id === ID.CodecPrivate) track.codecPrivate = Buffer.from(field.data)
    }
    tracks.push(track)
  }
  return tracks
}

/**
 * Walks a WebM file: its tracks, its length from the blocks, and (`collectAudio`) the Opus
 * packets of its audio track for the waveform. Throws MediaProblem for what is not a whole,
 * well-formed WebM file.
 */
export async function readWebm(reader: ByteReader, collectAudio: boolean): Promise<ContainerReport> {
  const ebml = await readHeader(reader, 0)
  if (!ebml || ebml.id !== ID.EBML || ebml.size === null) throw MediaProblem.corrupt()
  const docType = [...children(await reader.bytes(ebml.headerLength, ebml.size))].find((child) => child.id === ID.DocType)
  if (!docType || !['webm', 'matroska'].includes(docType.data.toString('latin1').replace(/\0+$/, ''))) throw MediaProblem.corrupt()

  let position = ebml.headerLength + ebml.size
  const segment = await readHeader(reader, position)
  if (!segment || segment.id !== ID.Segment) throw MediaProblem.corrupt()
  position += segment.headerLength
  const end = segment.size === null ? reader.size : Math.min(position + segment.size, reader.size)
  if (segment.size !== null && position + segment.size > reader.size) throw MediaProblem.truncated()

  let timecodeScale = 1_000_000
  let tracks: Track[] | null = null
  let clusterTimecode = 0
  let firstStartNs = Infinity
  let lastEndNs = 0
  const packets: Uint8Array[] = []

  while (position < end) {
    const header = await readHeader(reader, position)
    if (!header) throw MediaProblem.truncated()
    const dataStart = position + header.headerLength
    if (ENTERED.has(header.id)) {
      position = dataStart
      continue
    }
    if (header.size === null) throw MediaProblem.corrupt()
    if (dataStart + header.size > end) throw MediaProblem.truncated()
    position = dataStart + header.size

    if (header.id === ID.Info) {
      const scale = [...children(await reader.bytes(dataStart, header.size))].find((child) => child.id === ID.TimecodeScale)
      if (scale) timecodeScale = readUint(scale.data) || timecodeScale
    } else if (header.id === ID.Tracks) {
      tracks = parseTracks(await reader.bytes(dataStart, header.size))
    } else if (header.id === ID.Timecode) {
      clusterTimecode = readUint(await reader.bytes(dataStart, header.size))
    } else if (header.id === ID.SimpleBlock || header.id === ID.Block) {
      if (!tracks) throw MediaProblem.corrupt()
      const head = await reader.bytes(dataStart, Math.min(header.size, 12))
      const trackNumber = readVint(head, 0, false)
      if (!trackNumber || head.length < trackNumber.length + 3) throw MediaProblem.corrupt()
      const track = tracks.find((candidate) => candidate.number === trackNumber.value)
      if (!track) throw MediaProblem.corrupt()
      const relative = head.readInt16BE(trackNumber.length)
      const lacing = (head[trackNumber.length + 2]! >> 1) & 0x03
      const startNs = (clusterTimecode + relative) * timecodeScale
      let durationNs = 0
      if (track.type === TRACK_TYPE.audio && track.codec === 'A_OPUS') {
        // MediaRecorder never laces; a laced block's packets cannot be timed one by one here.
        if (lacing !== 0) throw MediaProblem.unsupported('laced audio blocks')
        const payloadOffset = trackNumber.length + 3
        const needed = collectAudio ? header.size : Math.min(header.size, payloadOffset + 2)
        const packet = (await reader.bytes(dataStart, needed)).subarray(payloadOffset)
        const micros = opusPacketMicros(packet)
        if (micros === null) throw MediaProblem.corrupt()
        durationNs = micros * 1000
        if (collectAudio) packets.push(Uint8Array.from(packet))
      }
      firstStartNs = Math.min(firstStartNs, startNs)
      lastEndNs = Math.max(lastEndNs, startNs + durationNs)
    }
  }

  if (!tracks) throw MediaProblem.corrupt()
  const audio = tracks.filter((track) => track.type === TRACK_TYPE.audio)
  const video = tracks.filter((track) => track.type === TRACK_TYPE.video)
  const audioCodec = audio[0]?.codec ?? null
  const videoCodec = video[0]?.codec ?? null
  if (audioCodec && audioCodec !== 'A_OPUS') throw MediaProblem.unsupported(`the audio codec ${audioCodec}`)
  if (videoCodec && !VIDEO_CODECS.has(videoCodec)) throw MediaProblem.unsupported(`the video codec ${videoCodec}`)
  const opusHead = audio[0]?.codecPrivate ? parseOpusHead(audio[0].codecPrivate) : null
  if (audio.length > 0 && !opusHead) throw MediaProblem.corrupt()

  return {
    container: 'webm',
    audioTracks: audio.length,
    videoTracks: video.length,
    otherTracks: tracks.length - audio.length - video.length,
    durationMs: Number.isFinite(firstStartNs) ? Math.round((lastEndNs - firstStartNs) / 1_000_000) : 0,
    opus: opusHead ? { head: opusHead, packets } : null,
  }
}
