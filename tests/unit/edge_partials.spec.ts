import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Edge } from 'edge.js'
import { cachePartials } from '#start/view'

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
