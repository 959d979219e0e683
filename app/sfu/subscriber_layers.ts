import type { SfuLayer, SfuStream } from '#signaling/protocol'

/** One entry of a VideoRoom subscriber `configure`'s `streams`: what Janus relays on one m-line. */
export type StreamSetting = { mid: string; send: boolean; substream?: number }

/** A video m-line whose layer Janus has still to be told. */
export type LayerChange = { mid: string; layer: SfuLayer }

/** Janus's simulcast substream for each layer (0 is the smallest). */
const SUBSTREAM: Record<Exclude<SfuLayer, 'none'>, number> = { low: 0, medium: 1, high: 2 }

/** A layer as Janus's `configure` says it: `none` pauses the m-line, the others pick a substream. */
export function streamSetting({ mid, layer }: LayerChange): StreamSetting {
  return layer === 'none' ? { mid, send: false } : { mid, send: true, substream: SUBSTREAM[layer] }
}

/**
 * The video layers one page wants of the people it receives (`sfu.layers`), and which of them
 * its Janus subscriber already relays. Its subscription's m-lines change with every offer (people
 * come and go): `changes()` lists the video m-lines whose layer differs from what Janus was last
 * told, so one `configure` brings the subscription in line and nothing is sent twice. People the
 * page never named stay on the substream their subscription started on (`initial`: the low one).
 */
export class SubscriberLayers {
  #wanted = new Map<number, SfuLayer>()
  /** The video m-lines of the subscription now: mid → whose video it carries. */
  #videoMids = new Map<string, number>()
  /** What Janus was last told for each mid. */
  #applied = new Map<string, SfuLayer>()

  /** The page's wishes; people not named keep theirs. */
  want(layers: Array<{ userId: number; layer: SfuLayer }>) {
    for (const { userId, layer } of layers) this.#wanted.set(userId, layer)
  }

  /**
   * The substream a new subscription to `userId` starts on: the layer the page asked for, else
   * the low one (most tiles are small, and a page names everyone as soon as their tile shows).
   */
  initial(userId: number): { substream: number } {
    const layer = this.#wanted.get(userId)
    return { substream: layer === undefined || layer === 'none' ? SUBSTREAM.low : SUBSTREAM[layer] }
  }

  /** The subscription's m-lines after an offer: a mid that now carries someone else (or nobody) starts afresh. */
  streams(streams: SfuStream[]) {
    const video = new Map(streams.filter((stream) => stream.kind === 'video').map((stream) => [stream.mid, stream.userId]))
    for (const mid of [...this.#applied.keys()]) if (video.get(mid) !== this.#videoMids.get(mid)) this.#applied.delete(mid)
    this.#videoMids = video
  }

  /** What Janus still has to be told (empty: nothing to do). */
  changes(): LayerChange[] {
    const changes: LayerChange[] = []
    for (const [mid, userId] of this.#videoMids) {
      const layer = this.#wanted.get(userId)
      if (layer !== undefined && this.#applied.get(mid) !== layer) changes.push({ mid, layer })
    }
    return changes
  }

  /** Janus took these changes. */
  applied(changes: LayerChange[]) {
    for (const { mid, layer } of changes) if (this.#videoMids.has(mid)) this.#applied.set(mid, layer)
  }
}
