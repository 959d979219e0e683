import edge, { type Edge } from 'edge.js'
import { formatDuration, participantStatusLabel } from '#helpers/display_text'
import { formatMs, formatPercent, formatShare } from '#helpers/quality_text'
import { mediaDurationText, waveform } from '#helpers/waveform'
import { mediaMessageLimits } from '#config/media_messages'

// The wording lives in app/helpers/display_text.ts, shared with the browser bundle.
edge.global('formatDuration', formatDuration)
edge.global('participantStatusLabel', participantStatusLabel)
edge.global('formatMs', formatMs)
edge.global('formatPercent', formatPercent)
edge.global('formatShare', formatShare)
edge.global('waveform', waveform)
edge.global('mediaDurationText', mediaDurationText)
// The composer's recorders stop at these limits and check sizes before uploading; the server
// enforces them anyway (docs/media_messages.md).
edge.global('mediaMessageLimits', mediaMessageLimits)

type Compiler = typeof edge.compiler

/**
 * Edge compiles an `@include`d partial again on every render, even with its template cache on:
 * the cache keeps pages and components, but a partial is compiled with the caller's local
 * variables and never stored. The channel page compiled `frags/message` 50 times a request, over
 * half of its CPU time (bench: pages). With the cache on (production), each partial is compiled
 * once per set of local variables, which is all its compiled function depends on.
 * tests/unit/edge_partials.spec.ts fails once Edge caches partials itself: then remove this.
 */
export function cachePartials(compiler: Compiler) {
  if (!compiler.cacheManager.enabled) return
  const compile = compiler.compile.bind(compiler)
  const partials = new Map<string, ReturnType<Compiler['compile']>>()
  compiler.compile = (templatePath: string, localVariables?: string[]) => {
    if (!localVariables) return compile(templatePath)
    const key = `${templatePath}\n${localVariables.join(',')}`
    let compiled = partials.get(key)
    if (!compiled) {
      compiled = compile(templatePath, localVariables)
      partials.set(key, compiled)
    }
    return compiled
  }
}

/**
 * Edge lists the components directory (a recursive readdir and a stat per file) before every
 * render unless its cache was on when the instance was created. The app's instance is created
 * on import and only configured with `cache: true` later, by the Edge provider, so production
 * still listed it on every render, fragments included (bench: pages). Once the cache is on the
 * templates on disk do not change, so the list is kept until a template is registered or
 * removed in memory. tests/unit/edge_partials.spec.ts fails once Edge stops re-listing: then
 * remove this.
 */
export function cacheComponentList(instance: Edge) {
  if (!instance.compiler.cacheManager.enabled) return
  const loader = instance.loader
  const listComponents = loader.listComponents.bind(loader)
  let components: ReturnType<typeof listComponents> | undefined
  loader.listComponents = () => (components ??= listComponents())
  const register = loader.register.bind(loader)
  const remove = loader.remove.bind(loader)
  loader.register = (...args) => {
    components = undefined
    return register(...args)
  }
  loader.remove = (templatePath) => {
    components = undefined
    return remove(templatePath)
  }
}

cachePartials(edge.compiler)
cachePartials(edge.asyncCompiler)
cacheComponentList(edge)
