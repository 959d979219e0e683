import { test } from '@japa/runner'
import { StageLayout, gridFor, focusFor, TILE_ASPECT } from '../../resources/js/calls/stage_layout.js'

const tile = (userId: number, extra: { self?: boolean; screen?: boolean } = {}) => ({ userId, self: false, screen: false, ...extra })
const desktop = { width: 1000, height: 520 }
const phone = { width: 370, height: 560 }

test.group('StageLayout: the grid', () => {
  test('the column count follows the tile count on a wide stage: 1 full, 2 side by side, 3-4 2×2, 5-6 3×2, 7-8 4×2', ({ assert }) => {
    const columns = [1, 2, 3, 4, 5, 6, 7, 8].map((count) => gridFor(count, desktop).columns)
    assert.deepEqual(columns, [1, 2, 2, 2, 3, 3, 4, 4])
  })

  test('one tile fills the stage as far as its 16:9 shape allows', ({ assert }) => {
    const { tileWidth } = gridFor(1, desktop)
    assert.equal(tileWidth, Math.floor(desktop.height * TILE_ASPECT))
    assert.isAtMost(tileWidth, desktop.width)
  })

  test('on a tall phone stage two people stack, each as wide as the stage', ({ assert }) => {
    const grid = gridFor(2, phone)
    assert.equal(grid.columns, 1)
    assert.equal(grid.tileWidth, phone.width)
  })

  test('every grid fits inside the stage, in width and in height', ({ assert }) => {
    for (const stage of [desktop, phone]) {
      for (let count = 1; count <= 8; count++) {
        const { columns, tileWidth } = gridFor(count, stage)
        const rows = Math.ceil(count / columns)
        assert.isAtMost(columns * tileWidth + (columns - 1) * 8, stage.width, `${count} tiles wide`)
        assert.isAtMost(rows * (tileWidth / TILE_ASPECT) + (rows - 1) * 8, stage.height + 1, `${count} tiles high`)
      }
    }
  })

  test('the large tile and its strip fit the stage together', ({ assert }) => {
    const { columns, tileWidth, mainWidth } = focusFor(3, desktop)
    assert.equal(columns, 3)
    assert.isAbove(mainWidth, tileWidth * 2)
    assert.isAtMost(mainWidth / TILE_ASPECT + tileWidth / TILE_ASPECT + 8, desktop.height + 1)
  })
})

test.group('StageLayout: which tile is large', () => {
  test('grid view with nobody sharing or pinned: no large tile', ({ assert }) => {
    const layout = new StageLayout()
    const arrangement = layout.arrange([tile(1, { self: true }), tile(2)], desktop)
    assert.equal(arrangement.layout, 'grid')
    assert.isNull(arrangement.mainId)
  })

  test('speaker view shows the last other person who spoke; silence and my own voice keep them', ({ assert }) => {
    const tiles = [tile(1, { self: true }), tile(2), tile(3)]
    const layout = new StageLayout()
    layout.toggleMode()
    assert.equal(layout.mode, 'speaker')
    // Before anyone speaks: the first other person.
    assert.include(layout.arrange(tiles, desktop), { layout: 'focus', mainId: 2, reason: 'speaker' })
    layout.speakerChanged(3, tiles)
    assert.equal(layout.arrange(tiles, desktop).mainId, 3)
    layout.speakerChanged(null, tiles)
    layout.speakerChanged(1, tiles)
    assert.equal(layout.arrange(tiles, desktop).mainId, 3)
    // The speaker leaves: back to the first other person.
    assert.equal(layout.arrange([tile(1, { self: true }), tile(2)], desktop).mainId, 2)
  })

  test("someone else's screen takes the stage in grid view too; my own does not", ({ assert }) => {
    const layout = new StageLayout()
    assert.include(layout.arrange([tile(1, { self: true }), tile(2), tile(3, { screen: true })], desktop), { layout: 'focus', mainId: 3, reason: 'screen' })
    assert.include(layout.arrange([tile(1, { self: true, screen: true }), tile(2)], desktop), { layout: 'grid', mainId: null })
  })

  test('a pinned tile wins over a shared screen and the speaker; pinning it again unpins', ({ assert }) => {
    const tiles = [tile(1, { self: true }), tile(2, { screen: true }), tile(3)]
    const layout = new StageLayout()
    layout.toggleMode()
    layout.speakerChanged(3, tiles)
    layout.togglePin(1)
    assert.include(layout.arrange(tiles, desktop), { mainId: 1, reason: 'pinned' })
    layout.togglePin(1)
    assert.include(layout.arrange(tiles, desktop), { mainId: 2, reason: 'screen' })
  })

  test('a pinned person who leaves takes the pin with them', ({ assert }) => {
    const layout = new StageLayout()
    layout.togglePin(2)
    assert.equal(layout.arrange([tile(1, { self: true }), tile(3)], desktop).layout, 'grid')
    assert.isNull(layout.pinnedId)
  })

  test('alone in the call: one full tile, whatever the mode or pin', ({ assert }) => {
    const layout = new StageLayout()
    layout.toggleMode()
    layout.togglePin(1)
    const arrangement = layout.arrange([tile(1, { self: true })], desktop)
    assert.include(arrangement, { layout: 'grid', columns: 1, mainId: null })
  })
})
