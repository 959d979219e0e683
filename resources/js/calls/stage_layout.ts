/**
 * Which layout the call stage shows and how big its tiles are, without the DOM. The Alpine
 * component (resources/js/alpine/call_media.ts) feeds it the tiles, the active speaker and the
 * stage's size, and only copies the result into CSS variables and classes.
 *
 * Precedence for the one large tile, as Jitsi and Google Meet do it: a tile I pinned, else a
 * screen someone else shares, else (in speaker view) the last person who spoke. With none of
 * these the tiles share the stage in a grid sized to fill it.
 */

/** What the layout needs to know of a tile. */
export type LayoutTile = { userId: number; self: boolean; screen: boolean }

export type LayoutMode = 'grid' | 'speaker'

/** Why a tile is the large one. */
export type MainReason = 'pinned' | 'screen' | 'speaker'

export type Arrangement = {
  /** `grid`: every tile the same size; `focus`: one large tile and the others in a strip. */
  layout: 'grid' | 'focus'
  mainId: number | null
  reason: MainReason | null
  /** Columns of the grid, or of the strip under the large tile. */
  columns: number
  /** Width of a grid or strip tile, in CSS pixels (its height follows from the aspect). */
  tileWidth: number
  /** Width of the large tile in `focus`, 0 in `grid`. */
  mainWidth: number
}

export type StageSize = { width: number; height: number }

/** Tiles are 16:9, the shape cameras and screens send. */
export const TILE_ASPECT = 16 / 9
/** Space between tiles, as in the stylesheet (resources/css/call_room.css). */
export const TILE_GAP = 8
/** Strip tiles stay small enough to leave the stage to the large one. */
const STRIP_MAX_WIDTH = 200
const STRIP_MIN_WIDTH = 96

export class StageLayout {
  #mode: LayoutMode = 'grid'
  #pinnedId: number | null = null
  #speakerId: number | null = null

  get mode() {
    return this.#mode
  }

  get pinnedId() {
    return this.#pinnedId
  }

  /** Switches between the grid and speaker view. */
  toggleMode() {
    this.#mode = this.#mode === 'grid' ? 'speaker' : 'grid'
  }

  /** Pins a tile; pinning the pinned tile again unpins it. */
  togglePin(userId: number) {
    this.#pinnedId = this.#pinnedId === userId ? null : userId
  }

  /**
   * The active speaker as the detector reports it. Silence (null) and my own voice keep the
   * last other speaker on the stage: the large tile should not jump back and forth between words,
   * and nobody wants to watch themselves while they talk.
   */
  speakerChanged(userId: number | null, tiles: LayoutTile[]) {
    if (userId === null) return
    if (tiles.some((tile) => tile.userId === userId && !tile.self)) this.#speakerId = userId
  }

  /** The arrangement for these tiles on a stage of this size. */
  arrange(tiles: LayoutTile[], stage: StageSize): Arrangement {
    const present = (id: number | null) => id !== null && tiles.some((tile) => tile.userId === id)
    // Someone who left takes their pin with them.
    if (!present(this.#pinnedId)) this.#pinnedId = null
    const main = this.#main(tiles, present)
    if (!main || tiles.length < 2) return { ...gridFor(tiles.length, stage), mainId: null, reason: null }
    return { ...focusFor(tiles.length - 1, stage), mainId: main.id, reason: main.reason }
  }

  #main(tiles: LayoutTile[], present: (id: number | null) => boolean): { id: number; reason: MainReason } | null {
    if (this.#pinnedId !== null) return { id: this.#pinnedId, reason: 'pinned' }
    // My own screen stays in its tile: showing it large to myself is a hall of mirrors.
    const sharing = tiles.find((tile) => tile.screen && !tile.self)
    if (sharing) return { id: sharing.userId, reason: 'screen' }
    if (this.#mode !== 'speaker') return null
    if (present(this.#speakerId)) return { id: this.#speakerId!, reason: 'speaker' }
    const other = tiles.find((tile) => !tile.self)
    return other ? { id: other.userId, reason: 'speaker' } : null
  }
}

/** Columns by tile count on a landscape stage: 1 full, 2 side by side, 3-4 2×2, 5-6 3×2, 7-8 4×2. */
const LANDSCAPE_COLUMNS = [1, 1, 2, 2, 2, 3, 3, 4, 4]

/**
 * The grid for `count` same-sized tiles: the column count comes from the tile count (turned on
 * its side on a portrait stage, where 2 people stack and 3-8 make two columns), and the tiles
 * are as wide as both the stage's width and its height allow at 16:9.
 */
export function gridFor(count: number, stage: StageSize) {
  if (count === 0) return { layout: 'grid' as const, columns: 1, tileWidth: 0, mainWidth: 0 }
  const landscape = LANDSCAPE_COLUMNS[Math.min(count, LANDSCAPE_COLUMNS.length - 1)]!
  const columns = stage.height > stage.width ? Math.ceil(count / landscape) : landscape
  const rows = Math.ceil(count / columns)
  const byWidth = (stage.width - TILE_GAP * (columns - 1)) / columns
  const byHeight = ((stage.height - TILE_GAP * (rows - 1)) / rows) * TILE_ASPECT
  const tileWidth = Math.floor(Math.max(0, Math.min(byWidth, byHeight)))
  return { layout: 'grid' as const, columns, tileWidth, mainWidth: 0 }
}

/** One large tile over a single-row strip of the `others`, the large one filling what is left. */
export function focusFor(others: number, stage: StageSize) {
  const byWidth = (stage.width - TILE_GAP * (others - 1)) / others
  const tileWidth = Math.floor(Math.max(STRIP_MIN_WIDTH, Math.min(STRIP_MAX_WIDTH, byWidth)))
  const columns = Math.max(1, Math.min(others, Math.floor((stage.width + TILE_GAP) / (tileWidth + TILE_GAP))))
  const stripRows = Math.ceil(others / columns)
  const stripHeight = stripRows * (tileWidth / TILE_ASPECT) + stripRows * TILE_GAP
  const mainWidth = Math.floor(Math.max(0, Math.min(stage.width, (stage.height - stripHeight) * TILE_ASPECT)))
  return { layout: 'focus' as const, columns, tileWidth, mainWidth }
}
