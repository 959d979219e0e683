/** The part of an <audio>/<video> element the recovery touches. */
export type PlayerLike = {
  readonly error: { code: number; message: string } | null
  preload: string
  dataset: Record<string, string | undefined>
  load(): void
  play(): Promise<void>
}

/**
 * Chromium (156) cannot play some files it did not record itself, Firefox's WebM (voice and
 * video), when the element loaded them with preload="metadata" and play() comes later: the
 * player fails with "FFmpegDemuxer: demuxer seek failed" and asks the server for nothing more.
 * Loaded again with preload="auto" it plays. Retries a failed timeline player once that way,
 * and plays it if the person had pressed play. True when it retried.
 */
export function recoverPlayer(player: PlayerLike) {
  if (!player.error || player.dataset.recovered) return false
  player.dataset.recovered = 'true'
  player.preload = 'auto'
  player.load()
  if (player.dataset.wantsPlay) void player.play().catch(() => {})
  return true
}

/** Remembers that the person pressed play (the error comes after the `play` event). */
export function notePlay(player: PlayerLike, playing: boolean) {
  if (playing) player.dataset.wantsPlay = 'true'
  else delete player.dataset.wantsPlay
}

const TIMELINE_PLAYERS = '.message__media audio, .message__media video'

/** Watches every timeline player on the page, present and future (media events do not bubble). */
export function watchTimelinePlayers(root: Document) {
  const on = (type: string, handle: (player: PlayerLike) => void) =>
    root.addEventListener(
      type,
      (event) => {
        if ((event.target as Element).matches?.(TIMELINE_PLAYERS)) handle(event.target as unknown as PlayerLike)
      },
      true
    )
  on('play', (player) => notePlay(player, true))
  on('ended', (player) => notePlay(player, false))
  on('error', (player) => recoverPlayer(player))
}
