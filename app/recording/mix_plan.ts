/** One converted track: its file, and when Janus wrote its first packet (µs since the epoch). */
export type MixInput = { path: string; kind: 'audio' | 'video'; firstPacketUs: number }

export type Tile = { width: number; height: number }

/**
 * The ffmpeg arguments that turn the consenting publishers' converted tracks into one WebM:
 * every audio delayed by its start and mixed (amix), every video scaled to a tile, padded with
 * black before its start (tpad) and laid side by side or in a grid (hstack / xstack). The
 * earliest first packet of all is time zero, so tracks that started later line up.
 */
export function mixArguments(inputs: MixInput[], output: string, tile: Tile): string[] {
  if (inputs.length === 0) throw new Error('Nothing to mix')
  const zero = Math.min(...inputs.map((input) => input.firstPacketUs))
  const offsetMs = (input: MixInput) => Math.round((input.firstPacketUs - zero) / 1000)
  const audios = inputs.map((input, index) => ({ input, index })).filter(({ input }) => input.kind === 'audio')
  const videos = inputs.map((input, index) => ({ input, index })).filter(({ input }) => input.kind === 'video')
  const filters: string[] = []

  audios.forEach(({ input, index }, n) => filters.push(`[${index}:a]aresample=48000,adelay=${offsetMs(input)}:all=1[a${n}]`))
  if (audios.length > 1) {
    filters.push(`${audios.map((_, n) => `[a${n}]`).join('')}amix=inputs=${audios.length}:duration=longest:dropout_transition=0,volume=${audios.length}[aout]`)
  } else if (audios.length === 1) filters.push('[a0]anull[aout]')

  videos.forEach(({ input, index }, n) =>
    filters.push(
      `[${index}:v]scale=${tile.width}:${tile.height}:force_original_aspect_ratio=decrease,` +
        `pad=${tile.width}:${tile.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,` +
        `tpad=start_duration=${offsetMs(input) / 1000}:color=black[v${n}]`
    )
  )
  if (videos.length === 1) filters.push('[v0]null[vout]')
  else if (videos.length === 2) filters.push('[v0][v1]hstack=inputs=2[vout]')
  else if (videos.length > 2) filters.push(`${videos.map((_, n) => `[v${n}]`).join('')}xstack=inputs=${videos.length}:layout=${gridLayout(videos.length, tile)}:fill=black[vout]`)

  const args = ['-y', '-hide_banner', '-loglevel', 'error']
  for (const input of inputs) args.push('-i', input.path)
  args.push('-filter_complex', filters.join(';'))
  if (videos.length) args.push('-map', '[vout]', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k')
  if (audios.length) args.push('-map', '[aout]', '-c:a', 'libopus', '-b:a', '64k')
  args.push('-f', 'webm', output)
  return args
}

/** xstack's layout for `count` tiles in the squarest grid: `0_0|w0_0|0_h0|…`. */
export function gridLayout(count: number, tile: Tile) {
  const columns = Math.ceil(Math.sqrt(count))
  return Array.from({ length: count }, (_, n) => `${(n % columns) * tile.width}_${Math.floor(n / columns) * tile.height}`).join('|')
}
