import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Edge } from 'edge.js'
import { cacheComponentList, cachePartials } from '#start/view'

/**
 * An Edge instance with its template cache on (as in production), rendering a page that
 * `@include`s a partial inside a loop, and counting how often the partial is read and compiled.
 */
function edgeWithPartial(cleanup: (fn: () => void) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'confab-edge-'))
  cleanup(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'page.edge'), "@each(item in items)\n@include('item')\n@end\n")
  writeFileSync(join(dir, 'item.edge'), '<li>{{ item }}</li>')
  const edge = new Edge({ cache: true })
  edge.mount(dir)
  let partialCompiles = 0
  const resolve = edge.loader.resolve.bind(edge.loader)
  edge.loader.resolve = (templatePath: string) => {
    if (templatePath.endsWith('item.edge')) partialCompiles += 1
    return resolve(templatePath)
  }
  return { edge, partialCompiles: () => partialCompiles }
}

test.group('Edge partial cache (start/view.ts)', () => {
  test('unpatched, Edge compiles an @include again on every render: the patch is still needed', async ({ assert, cleanup }) => {
    const { edge, partialCompiles } = edgeWithPartial(cleanup)
    assert.equal((await edge.render('page', { items: ['a', 'b'] })).trim(), '<li>a</li>\n<li>b</li>')
    const afterFirst = partialCompiles()
    await edge.render('page', { items: ['c'] })
    // When this fails, Edge has started caching partials itself: remove cachePartials from start/view.ts.
    assert.isAbove(partialCompiles() - afterFirst, 0, 'Edge no longer recompiles cached pages\' partials')
  })

  test('patched, the partial is compiled once and renders the same', async ({ assert, cleanup }) => {
    const { edge, partialCompiles } = edgeWithPartial(cleanup)
    cachePartials(edge.compiler)
    cachePartials(edge.asyncCompiler)
    assert.equal((await edge.render('page', { items: ['a', 'b'] })).trim(), '<li>a</li>\n<li>b</li>')
    assert.equal((await edge.render('page', { items: ['c'] })).trim(), '<li>c</li>')
    assert.equal(partialCompiles(), 1)
  })
})

/**
 * An Edge instance set up as the app's is: created without options, then given its cache by
 * `configure` (what the Edge provider does in production), with one component on disk and a
 * count of how often the loader lists the components.
 */
function edgeConfiguredLater(cleanup: (fn: () => void) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'confab-edge-'))
  cleanup(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'components'))
  writeFileSync(join(dir, 'components', 'badge.edge'), '<b>{{ text }}</b>')
  writeFileSync(join(dir, 'page.edge'), "@!badge({ text })\n")
  const edge = Edge.create()
  edge.mount(dir)
  edge.configure({ cache: true })
  let listings = 0
  const listComponents = edge.loader.listComponents.bind(edge.loader)
  edge.loader.listComponents = () => {
    listings += 1
    return listComponents()
  }
  return { edge, listings: () => listings }
}

test.group('Edge component list (start/view.ts)', () => {
  test('unpatched, Edge lists the components directory on every render: the patch is still needed', async ({ assert, cleanup }) => {
    const { edge, listings } = edgeConfiguredLater(cleanup)
    assert.equal((await edge.render('page', { text: 'a' })).trim(), '<b>a</b>')
    await edge.render('page', { text: 'b' })
    // When this fails, Edge lists components once with its cache on: remove cacheComponentList from start/view.ts.
    assert.equal(listings(), 2, 'Edge no longer lists the components before every render')
  })

  test('patched, the components are listed once, and again after a template is registered', async ({ assert, cleanup }) => {
    const { edge, listings } = edgeConfiguredLater(cleanup)
    cacheComponentList(edge)
    assert.equal((await edge.render('page', { text: 'a' })).trim(), '<b>a</b>')
    assert.equal((await edge.render('page', { text: 'b' })).trim(), '<b>b</b>')
    assert.equal(listings(), 1)

    // In-memory templates are components too, named by their path.
    edge.registerTemplate('note', { template: '<i>{{ text }}</i>' })
    edge.registerTemplate('noted', { template: "@!note({ text })\n" })
    assert.equal((await edge.render('noted', { text: 'c' })).trim(), '<i>c</i>')
    assert.equal(listings(), 2)
  })

  test('without the cache (development), the patch leaves the listing on every render', async ({ assert, cleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-edge-'))
    cleanup(() => rmSync(dir, { recursive: true, force: true }))
    const edge = Edge.create()
    edge.mount(dir)
    const listComponents = edge.loader.listComponents
    cacheComponentList(edge)
    assert.strictEqual(edge.loader.listComponents, listComponents)
  })
})
