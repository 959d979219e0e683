import { EventEmitter } from 'node:events'
import type { JanusConnection } from '#sfu/janus_connection'
import type { JanusMessage, Jsep, TrickleCandidate } from '#sfu/janus_protocol'

type Events = {
  /** A plugin event that answers no request of ours (e.g. VideoRoom's publishers joining). */
  event: [data: any, jsep: Jsep | undefined]
  /** Janus's own ICE candidates for this handle's PeerConnection (full-trickle). */
  trickle: [candidate: TrickleCandidate | null]
  /** The PeerConnection is up (DTLS done) ... */
  webrtcup: []
  /** ... or gone (Janus hung it up: ICE failed, DTLS alert, the room was destroyed). */
  hangup: [reason: string]
  /** The handle no longer exists: detached, or its session/connection was lost. */
  lost: [reason: string]
}

/** One plugin handle in Confab's Janus session: requests to the plugin, and its events. */
export class JanusHandle extends EventEmitter<Events> {
  #gone = false

  constructor(
    readonly connection: JanusConnection,
    readonly id: number,
    readonly plugin: string
  ) {
    super()
  }

  get gone() {
    return this.#gone
  }

  /**
   * A message to the plugin; resolves with the plugin's answer (its `data`, and Janus's jsep when
   * there is one). Synchronous plugin requests answer at once, asynchronous ones (join,
   * configure, start) with an event carrying the same transaction.
   */
  async message(body: Record<string, unknown>, jsep?: Jsep) {
    const answer = await this.connection.request({ janus: 'message', handle_id: this.id, body, ...(jsep ? { jsep } : {}) })
    return { data: answer.plugindata?.data ?? {}, jsep: answer.jsep }
  }

  /** Hands a browser's ICE candidate to Janus; null says the browser has gathered them all. */
  async trickle(candidate: TrickleCandidate | null) {
    await this.connection.request(
      { janus: 'trickle', handle_id: this.id, candidate: candidate ?? { completed: true } },
      { ackIsAnswer: true }
    )
  }

  /** Detaches from the plugin (which tears its PeerConnection down); safe to call twice. */
  async detach() {
    if (this.#gone) return
    this.#gone = true
    this.connection.forget(this.id)
    await this.connection.request({ janus: 'detach', handle_id: this.id }).catch(() => {})
    this.emit('lost', 'detached')
  }

  /** Routed here by the connection: an event addressed to this handle. */
  receive(message: JanusMessage) {
    switch (message.janus) {
      case 'event':
        this.emit('event', message.plugindata?.data ?? {}, message.jsep)
        break
      case 'trickle': {
        const candidate = message.candidate
        this.emit('trickle', !candidate || 'completed' in candidate ? null : candidate)
        break
      }
      case 'webrtcup':
        this.emit('webrtcup')
        break
      case 'hangup':
        this.emit('hangup', String(message.reason ?? 'hangup'))
        break
      case 'detached':
        this.lose('detached by Janus')
        break
    }
  }

  /** The handle is gone without us detaching it (session lost, or Janus detached it). */
  lose(reason: string) {
    if (this.#gone) return
    this.#gone = true
    this.connection.forget(this.id)
    this.emit('lost', reason)
  }
}
