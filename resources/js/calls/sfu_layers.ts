import type { Arrangement } from './stage_layout.js'
import type { ClientFrame, SfuLayer } from '../../../app/signaling/protocol.js'

/**
 * The three simulcast layers a page publishes to the SFU, highest first (the order Janus reads
 * rids in by default, `hml`): the camera as captured (720p at most, LocalMedia), half and a
 * quarter of its size. Bitrates as Janus's own demo uses them, so the three together stay near
 * what one mesh upload took for two people.
 */
export const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'h', maxBitrate: 900_000 },
  { rid: 'm', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: 'l', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
]

/**
 * Tile widths (CSS pixels) each layer is sharp enough for: a 720p camera's layers are 1280, 640
 * and 320 wide, and a tile gets the smallest layer at least as wide as itself.
 */
export const LOW_UP_TO = 320
export const MEDIUM_UP_TO = 640

/** What the choice needs of a tile (CallStage's Tile has it). */
export type LayerTile = { userId: number; self: boolean; video: boolean; screen: boolean }

/**
 * Which layer of each remote person's video the page asks the SFU for, from the stage layout:
 * the large tile (pinned, a shared screen, the speaker) gets the high layer; grid and strip tiles
 * the one their width needs (eight people in a grid: the low one); someone with neither camera nor
 * screen on gets no video at all (`none`), so they cost nothing to receive.
 */
export class LayerChoice {
  choose(arrangement: Pick<Arrangement, 'layout' | 'mainId' | 'tileWidth'>, tiles: LayerTile[]): Map<number, SfuLayer> {
    const layers = new Map<number, SfuLayer>()
    for (const tile of tiles) {
      if (tile.self) continue
      if (!tile.video && !tile.screen) layers.set(tile.userId, 'none')
      else if (arrangement.layout === 'focus' && tile.userId === arrangement.mainId) layers.set(tile.userId, 'high')
      else layers.set(tile.userId, layerFor(arrangement.tileWidth))
    }
    return layers
  }
}

/** The smallest layer sharp enough for a tile this wide. */
export function layerFor(width: number): SfuLayer {
  if (width <= LOW_UP_TO) return 'low'
  if (width <= MEDIUM_UP_TO) return 'medium'
  return 'high'
}

export type LayerRequestsOptions = {
  send: (frame: ClientFrame) => void
  /** Whether the call goes through the SFU now (a mesh has no layers to pick). */
  viaSfu: () => boolean
}

/**
 * Tells the server the layers the page wants (`sfu.layers`, docs/signaling.md), only what changed
 * since the last frame: a layout that re-renders with the same choice sends nothing.
 */
export class LayerRequests {
  #sent = new Map<number, SfuLayer>()

  constructor(private options: LayerRequestsOptions) {}

  request(layers: Map<number, SfuLayer>) {
    if (!this.options.viaSfu()) return
    const changed = [...layers].filter(([userId, layer]) => this.#sent.get(userId) !== layer)
    if (changed.length === 0) return
    for (const [userId, layer] of changed) this.#sent.set(userId, layer)
    this.options.send({ type: 'sfu.layers', layers: changed.map(([userId, layer]) => ({ userId, layer })) })
  }
}
