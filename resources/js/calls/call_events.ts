/*
| The DOM events the call components exchange on document.body, typed in one place. htmx
| fragments listen to them too (`hx-trigger="call-changed from:body"` in frags/call_banner and
| frags/call_participants), so the names are also written in those templates.
*/

export type CallDomEvents = {
  /** Something about a call changed: htmx refreshes the banner and the participant list. */
  'call-changed': undefined
  /** The call socket said the call ended (its `call.ended` frame), with the server's reason. */
  'call-ended': { reason: string | null }
}

/** Dispatches a call event on document.body. */
export function dispatchCallEvent<Name extends keyof CallDomEvents>(name: Name, ...detail: CallDomEvents[Name] extends undefined ? [] : [CallDomEvents[Name]]) {
  document.body.dispatchEvent(new CustomEvent(name, { detail: detail[0] }))
}

/** Listens for a call event on document.body; returns the function that stops listening. */
export function onCallEvent<Name extends keyof CallDomEvents>(name: Name, listener: (detail: CallDomEvents[Name]) => void) {
  const handler = (event: Event) => listener((event as CustomEvent<CallDomEvents[Name]>).detail)
  document.body.addEventListener(name, handler)
  return () => document.body.removeEventListener(name, handler)
}
