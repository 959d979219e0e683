import logger from '@adonisjs/core/services/logger'
import type { JanusHandle } from '#sfu/janus_handle'
import { JanusError, type Jsep } from '#sfu/janus_protocol'
import type { SfuServer } from '#sfu/sfu_rooms'
import { VIDEOROOM } from '#sfu/video_room_admin'
import { SubscriberLayers, streamSetting } from '#sfu/subscriber_layers'
import type { ServerFrame, SfuCandidate, SfuLayer, SfuStream, SfuTarget } from '#signaling/protocol'

/** Where one participant is, for the server: the room and how to reach their page. */
export interface SfuSeat {
  server: SfuServer
  room: number
  pin: string
  secret: string
  userId: number
  name: string
  /** The page (`?peer=`) these handles serve: a new page of the same person starts over. */
  peerId: string | null
  /** Sends a frame to the person's current socket (none while they reconnect). */
  send: (frame: ServerFrame) => void
}

/** A frame that makes no sense now (an answer with no offer waiting, a candidate for a connection not started). */
export class SfuOutOfOrder extends Error {}

/** Janus: a publisher with this id is already in the room. */
const ID_EXISTS = 436
/** Janus: no such feed (it left between our look and our subscribe). */
const NO_SUCH_FEED = 428

/**
 * One call participant's two VideoRoom handles, held by the server on their behalf: the
 * publisher (their microphone and camera; Janus publisher id = their user id) and one
 * multistream subscriber for everyone else's feeds. The publisher handle hears who starts and
 * stops publishing; the subscription follows, one change at a time and never while an offer
 * waits for the page's answer. The video layer of each feed follows the page's `sfu.layers`
 * (a `configure` of the subscriber, docs/sfu.md "Simulcast").
 */
export class SfuParticipant {
  #publisher: JanusHandle | null = null
  #subscriber: JanusHandle | null = null
  /** Publishers of the room other than this person (their user ids). */
  #feeds = new Set<number>()
  #subscribed = new Set<number>()
  /** Which simulcast layer of each person the page wants (`sfu.layers`), and what Janus was told. */
  #layers = new SubscriberLayers()
  #wantsFeeds = false
  #awaitingAnswer = false
  #changes: Promise<void> = Promise.resolve()
  #closed = false

  constructor(readonly seat: SfuSeat) {}

  get closed() {
    return this.#closed
  }

  /** Publishes the page's media: joins the room as a publisher (once), then hands Janus the offer. */
  async publish(offer: Jsep) {
    if (!this.#publisher) await this.#join()
    const { jsep } = await this.#publisher!.message({ request: 'configure' }, offer)
    if (!jsep || jsep.type !== 'answer') throw new JanusError(0, 'Janus gave no answer to the offer')
    this.seat.send({ type: 'sfu.answer', jsep: { type: 'answer', sdp: jsep.sdp } })
  }

  async #join() {
    const { server, room, pin, secret, userId, name } = this.seat
    const handle = this.#watch(await server.connection.attach(VIDEOROOM), 'publisher')
    this.#publisher = handle
    handle.on('event', (data) => this.#publisherEvent(data))
    const join = () => handle.message({ request: 'join', ptype: 'publisher', room, pin, id: userId, display: name })
    let joined
    try {
      joined = await join()
    } catch (error) {
      if ((error as JanusError).code !== ID_EXISTS) throw error
      // This person's previous page is still published (a reload whose old handles another
      // instance, or a crash, left behind): the new page replaces it.
      await server.admin.kick(room, secret, userId)
      joined = await join()
    }
    this.#setFeeds((joined.data.publishers ?? []).map((publisher: { id: number }) => publisher.id), [])
  }

  /**
   * Starts Janus's recording of this person's publisher into `<basePath>-{audio,video}-<mindex>.mjr`
   * (an absolute path: Confab's rooms have no rec_dir), or stops it (docs/recording.md).
   */
  async record(on: boolean, basePath?: string) {
    if (!this.#publisher) throw new SfuOutOfOrder('Nothing is published to record')
    await this.#publisher.message({ request: 'configure', record: on, ...(on && basePath ? { filename: basePath } : {}) })
  }

  /** The page is ready to receive: subscribe it to the others, now and as they come and go. */
  subscribe() {
    this.#wantsFeeds = true
    this.#reconcile()
  }

  /**
   * The page wants these layers of these people (`sfu.layers`): applied once no offer waits for
   * its answer, and to people not received yet as soon as they are.
   */
  setLayers(layers: Array<{ userId: number; layer: SfuLayer }>) {
    this.#layers.want(layers)
    this.#reconcile()
  }

  /** The page's answer to our last `sfu.offer`. */
  async start(answer: Jsep) {
    if (!this.#subscriber || !this.#awaitingAnswer) throw new SfuOutOfOrder('No subscription offer is waiting for an answer')
    await this.#subscriber.message({ request: 'start' }, answer)
    this.#awaitingAnswer = false
    this.#reconcile()
  }

  async trickle(target: SfuTarget, candidate: SfuCandidate) {
    const handle = target === 'publisher' ? this.#publisher : this.#subscriber
    if (!handle) throw new SfuOutOfOrder(`No ${target} connection to trickle to`)
    await handle.trickle(candidate)
  }

  /** Detaches both handles (Janus hangs up their PeerConnections); safe to call twice. */
  async close() {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([this.#publisher?.detach(), this.#subscriber?.detach()])
  }

  #publisherEvent(data: any) {
    const joining = (data.publishers ?? []).map((publisher: { id: number }) => publisher.id)
    const leaving = [data.unpublished, data.leaving].filter((id) => typeof id === 'number')
    if (joining.length > 0 || leaving.length > 0) this.#setFeeds(joining, leaving)
  }

  #setFeeds(joining: number[], leaving: number[]) {
    for (const id of joining) if (id !== this.seat.userId) this.#feeds.add(id)
    for (const id of leaving) this.#feeds.delete(id)
    this.seat.send({ type: 'sfu.feeds', userIds: [...this.#feeds].sort((a, b) => a - b) })
    this.#reconcile()
  }

  /** Queues one step that brings the subscription in line with the feeds. */
  #reconcile() {
    this.#changes = this.#changes
      .then(() => this.#updateSubscription())
      .catch((error) => {
        if (this.#closed) return
        logger.warn({ err: error, userId: this.seat.userId }, 'SFU subscription update failed')
        this.seat.send({ type: 'error', code: 'sfu_unavailable', message: `Could not update what you receive: ${error.message}` })
      })
  }

  async #updateSubscription() {
    if (this.#closed || !this.#wantsFeeds || this.#awaitingAnswer) return
    await this.#updateFeeds()
    if (!this.#awaitingAnswer) await this.#updateLayers()
  }

  /** Tells Janus the layers the page wants that it does not relay yet (no renegotiation: the m-lines stay). */
  async #updateLayers() {
    const changes = this.#layers.changes()
    if (!this.#subscriber || changes.length === 0) return
    await this.#subscriber.message({ request: 'configure', streams: changes.map(streamSetting) })
    this.#layers.applied(changes)
  }

  async #updateFeeds() {
    const add = [...this.#feeds].filter((id) => !this.#subscribed.has(id))
    const remove = [...this.#subscribed].filter((id) => !this.#feeds.has(id))
    if (add.length === 0 && remove.length === 0) return
    try {
      const answer = this.#subscriber
        ? await this.#subscriber.message({
            request: 'update',
            ...(add.length ? { subscribe: add.map((feed) => ({ feed, ...this.#layers.initial(feed) })) } : {}),
            ...(remove.length ? { unsubscribe: remove.map((feed) => ({ feed })) } : {}),
          })
        : add.length > 0
          ? await this.#attachSubscriber(add)
          : null
      if (answer) this.#offer(answer.data, answer.jsep)
    } catch (error) {
      if ((error as JanusError).code !== NO_SUCH_FEED) throw error
      // A feed left between the event and our request: its `unpublished` event follows, which
      // reconciles again; nothing to do now.
    }
  }

  async #attachSubscriber(feeds: number[]) {
    const { server, room, pin } = this.seat
    const handle = this.#watch(await server.connection.attach(VIDEOROOM), 'subscriber')
    this.#subscriber = handle
    // Janus renegotiates on its own when a subscribed feed goes away: that offer goes to the page too.
    handle.on('event', (data, jsep) => this.#offer(data, jsep))
    return handle.message({ request: 'join', ptype: 'subscriber', room, pin, streams: feeds.map((feed) => ({ feed, ...this.#layers.initial(feed) })) })
  }

  /** Janus's (re)offer for the subscriber connection goes to the page, with who is on each m-line. */
  #offer(data: any, jsep: Jsep | undefined) {
    if (!Array.isArray(data.streams)) return
    const streams: SfuStream[] = data.streams
      .filter((stream: any) => (stream.type === 'audio' || stream.type === 'video') && stream.active !== false && stream.feed_id)
      .map((stream: any) => ({ mid: String(stream.mid), userId: Number(stream.feed_id), kind: stream.type }))
    this.#subscribed = new Set(streams.map((stream) => stream.userId))
    this.#layers.streams(streams)
    if (!jsep || jsep.type !== 'offer') return
    this.#awaitingAnswer = true
    this.seat.send({ type: 'sfu.offer', jsep: { type: 'offer', sdp: jsep.sdp }, streams })
  }

  /** Janus's candidates go to the page; a handle lost under us (Janus gone) is said, not hidden. */
  #watch(handle: JanusHandle, target: SfuTarget) {
    handle.on('trickle', (candidate) => this.seat.send({ type: 'sfu.trickle', target, candidate }))
    handle.on('lost', (reason) => {
      // A whole Janus lost is the call's matter: CallTopology moves it to the mesh or says why not.
      if (this.#closed || reason === 'detached' || this.seat.server.connection.state !== 'up') return
      this.seat.send({ type: 'error', code: 'sfu_unavailable', message: `The media server connection was lost (${reason})` })
    })
    return handle
  }
}
