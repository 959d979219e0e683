/**
 * Boosted navigation (`hx-boost` on #page in the layout): a link or form inside #page loads the
 * next page with htmx and swaps #page alone, so everything after it in <body> (the call dock,
 * the incoming-call modal) and this JS context (the call's socket and media) live on. htmx
 * takes the new <title> from the response. What htmx would swap elsewhere is redirected here:
 *
 * - a boosted request goes without `HX-Request`, so the server answers it as it answers a plain
 *   link or form (a page, a redirect, validation errors flashed back), never with a fragment;
 * - every boosted response, error pages included, goes into #page (outerHTML, its #page only),
 *   not into <body>; a response without #page (the sign-in page, a page of another layout) is
 *   loaded in full, as a plain link would;
 * - history: #page is the history element and nothing is cached (`historyCacheSize` 0), so Back
 *   asks the server again instead of restoring a snapshot of DOM Alpine had already changed.
 */
type SwapDetail = {
  boosted: boolean
  shouldSwap: boolean
  isError: boolean
  serverResponse: string
  xhr: XMLHttpRequest
  target: Element
  selectOverride?: string
  swapOverride?: string
  requestConfig?: { verb: string; path: string }
}

export function boostInto(config: Record<string, unknown>, pageId = 'page') {
  config.historyCacheSize = 0
  document.addEventListener('htmx:configRequest', (event) => {
    const { headers } = (event as CustomEvent<{ headers: Record<string, string> }>).detail
    if (headers['HX-Boosted'] === 'true') delete headers['HX-Request']
  })
  document.addEventListener('htmx:beforeSwap', (event) => {
    const detail = (event as CustomEvent<SwapDetail>).detail
    if (!detail.boosted) return
    const page = document.getElementById(pageId)
    const isPage = typeof detail.serverResponse === 'string' && detail.serverResponse.includes(`id="${pageId}"`)
    if (!isPage || !page) {
      detail.shouldSwap = false
      window.location.assign(detail.xhr.responseURL || detail.requestConfig?.path || window.location.href)
      return
    }
    detail.shouldSwap = true
    detail.isError = false
    detail.target = page
    detail.selectOverride = `#${pageId}`
    detail.swapOverride = 'outerHTML'
  })
}
