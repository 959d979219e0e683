import logger from '@adonisjs/core/services/logger'
import CallParticipant from '#models/call_participant'
import type { MediaState } from '#signaling/protocol'

/**
 * Keeps call members' microphone/camera/screen state in the database (for pages that load a
 * call, and for people who are not connected) without one write per `media` frame: the sockets
 * get a change at once, the database follows within `flushMs`, with the latest state of each
 * member who changed and one UPDATE per distinct state (at most eight). A write per frame cost
 * more CPU than relaying the frame itself.
 */
export class MediaStateWriter {
  /** Latest unwritten state, by call participant id. */
  #pending = new Map<number, MediaState>()
  #timer: NodeJS.Timeout | null = null
  #writing: Promise<void> = Promise.resolve()

  constructor(private flushMs = 200) {}

  record(participantId: number, media: MediaState) {
    this.#pending.set(participantId, media)
    if (this.#timer) return
    this.#timer = setTimeout(() => void this.flush(), this.flushMs)
    this.#timer.unref()
  }

  /** Writes what is pending now, after any write still running (so the latest state wins). */
  flush() {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const batch = this.#pending
    this.#pending = new Map()
    if (batch.size) {
      this.#writing = this.#writing
        .then(() => write(batch))
        .catch((error) => logger.error({ err: error }, 'media state write failed'))
    }
    return this.#writing
  }
}

async function write(batch: Map<number, MediaState>) {
  const byState = new Map<string, { media: MediaState; ids: number[] }>()
  for (const [participantId, media] of batch) {
    const key = `${media.audio}:${media.video}:${media.screen}`
    const group = byState.get(key) ?? { media, ids: [] }
    byState.set(key, group)
    group.ids.push(participantId)
  }
  for (const { media, ids } of byState.values()) {
    // In slices: a statement binds a bounded number of values.
    for (let start = 0; start < ids.length; start += 500) {
      await CallParticipant.query()
        .whereIn('id', ids.slice(start, start + 500))
        .update({ audioEnabled: media.audio, videoEnabled: media.video, screenSharing: media.screen })
    }
  }
}
