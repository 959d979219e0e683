import { StageLayout, type Arrangement, type LayoutMode } from '../calls/stage_layout.js'
import type { Tile } from '../calls/call_stage.js'

/**
 * The call stage's layout, as a piece of the `callMedia` component (spread into its data):
 * measures the stage, hands tiles, speaker, pin and view to StageLayout
 * (resources/js/calls/stage_layout.ts) and copies its arrangement into the tiles' CSS variables.
 * DOM wiring only; which tile is large and how big tiles are is StageLayout's.
 */
export function stageLayoutWiring() {
  // Kept outside Alpine's reactive proxies, like the other live objects.
  const layout = new StageLayout()
  let size = { width: 0, height: 0 }
  let observer: ResizeObserver | null = null

  return {
    layoutMode: 'grid' as LayoutMode,
    pinnedId: null as number | null,
    arrangement: { layout: 'grid', mainId: null, reason: null, columns: 1, tileWidth: 0, mainWidth: 0 } as Arrangement,

    /** Starts following the stage's size; call from the component's init. */
    watchStage(area: HTMLElement) {
      observer = new ResizeObserver(() => {
        size = { width: area.clientWidth, height: area.clientHeight }
        this.relayout()
      })
      observer.observe(area)
    },

    unwatchStage() {
      observer?.disconnect()
      observer = null
    },

    relayout() {
      const view = this as unknown as { tiles: Tile[]; arranged?: (arrangement: Arrangement, tiles: Tile[]) => void }
      this.arrangement = layout.arrange(view.tiles, size)
      this.pinnedId = layout.pinnedId
      this.layoutMode = layout.mode
      // The component that spreads this in tells the call (which video layers to receive).
      view.arranged?.(this.arrangement, view.tiles)
    },

    speakerChanged(userId: number | null) {
      layout.speakerChanged(userId, (this as unknown as { tiles: Tile[] }).tiles)
      this.relayout()
    },

    toggleLayout() {
      layout.toggleMode()
      this.relayout()
    },

    togglePin(userId: number) {
      layout.togglePin(userId)
      this.relayout()
    },

    /** CSS variables of the tile grid (resources/css/call_room.css). */
    tilesStyle() {
      const { columns, tileWidth, mainWidth } = this.arrangement
      return { '--columns': String(columns), '--tile-width': `${tileWidth}px`, '--main-width': `${mainWidth}px` }
    },

    // Text helpers for the template: Alpine's CSP build has no template literals.
    pinLabel(tile: Tile) {
      return `${this.pinnedId === tile.userId ? 'Unpin' : 'Pin'} ${tile.self ? 'yourself' : tile.name}`
    },

    pinPressed(tile: Tile) {
      return String(this.pinnedId === tile.userId)
    },

    speakerViewPressed() {
      return String(this.layoutMode === 'speaker')
    },
  }
}
