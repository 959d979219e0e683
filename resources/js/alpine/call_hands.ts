import { handsFirst, type HandsState } from '../calls/hands.js'

/**
 * The people list (frags/call_participants.edge) is rendered by the server, which knows
 * nothing of hands (they are call-socket state): this puts the raised hands first, oldest
 * first, each with a hand mark screen readers name. DOM wiring only; the order is handsFirst's.
 */
export function showHandsInList(state: HandsState, root: ParentNode = document) {
  const list = root.querySelector<HTMLElement>('#call-participants')
  if (!list) return
  const items = [...list.querySelectorAll<HTMLElement>(':scope > li[data-user-id]')]
  // The server's order, kept from the first time the list is seen after each swap.
  items.forEach((item, index) => (item.dataset.serverOrder ??= String(index)))
  items.sort((a, b) => Number(a.dataset.serverOrder) - Number(b.dataset.serverOrder))
  const byId = new Map(items.map((item) => [Number(item.dataset.userId), item]))
  const order = handsFirst([...byId.keys()], state.raised)
  for (const userId of order) {
    const item = byId.get(userId)!
    const raised = state.raised.some((hand) => hand.userId === userId)
    item.dataset.hand = raised ? 'raised' : 'down'
    let mark = item.querySelector<HTMLElement>('.participant__hand')
    if (raised && !mark) {
      mark = document.createElement('span')
      mark.className = 'participant__hand'
      mark.setAttribute('role', 'img')
      mark.setAttribute('aria-label', 'Hand raised')
      mark.textContent = '✋'
      item.querySelector('.avatar')?.after(mark)
    }
    if (!raised) mark?.remove()
    list.append(item)
  }
}

/** Escape closes the open menus and panels of the room: every open `<details data-menu>`. */
export function closeOpenMenus(root: ParentNode) {
  for (const menu of root.querySelectorAll<HTMLDetailsElement>('details[data-menu][open]')) {
    menu.open = false
    menu.querySelector<HTMLElement>('summary')?.focus()
  }
  root.dispatchEvent?.(new CustomEvent('call-escape', { bubbles: true }))
}
