import type { JanusConnection } from '#sfu/janus_connection'
import type { JanusHandle } from '#sfu/janus_handle'

export const VIDEOROOM = 'janus.plugin.videoroom'

/** A room as Confab creates it: the secret guards destroy/edit, the pin guards joining. */
export interface RoomSettings {
  room: number
  secret: string
  pin: string
  description: string
  /** The most publishers at once (everyone in the call may publish). */
  publishers: number
}

export interface RoomParticipant {
  id: number
  display?: string
  publisher: boolean
}

/**
 * The VideoRoom's synchronous requests (create, list, listparticipants, destroy) on one handle
 * per Janus session, attached lazily and again after the session was lost.
 */
export class VideoRoomAdmin {
  #handle: Promise<JanusHandle> | null = null

  constructor(readonly connection: JanusConnection) {}

  async #ask(body: Record<string, unknown>) {
    if (!this.#handle) {
      const attaching = this.connection.attach(VIDEOROOM)
      this.#handle = attaching
      attaching.then(
        (handle) => handle.once('lost', () => this.#handle === attaching && (this.#handle = null)),
        () => this.#handle === attaching && (this.#handle = null)
      )
    }
    const handle = await this.#handle
    return (await handle.message(body)).data
  }

  /** Creates a room that lives only in memory (`permanent: false`): Janus forgets it on restart. */
  async create(settings: RoomSettings) {
    await this.#ask({
      request: 'create',
      room: settings.room,
      permanent: false,
      description: settings.description,
      secret: settings.secret,
      pin: settings.pin,
      publishers: settings.publishers,
      audiocodec: 'opus',
      videocodec: 'vp8',
      // Every participant gets to know who joined and left (the server updates subscriptions).
      notify_joining: true,
    })
  }

  /** The ids of the rooms this Janus holds (public listing: Confab creates no private rooms). */
  async list(): Promise<number[]> {
    const data = await this.#ask({ request: 'list' })
    return (data.list ?? []).map((room: { room: number }) => room.room)
  }

  async exists(room: number): Promise<boolean> {
    return Boolean((await this.#ask({ request: 'exists', room })).exists)
  }

  async participants(room: number): Promise<RoomParticipant[]> {
    const data = await this.#ask({ request: 'listparticipants', room })
    return (data.participants ?? []).map((participant: any) => ({
      id: participant.id,
      display: participant.display,
      publisher: Boolean(participant.publisher),
    }))
  }

  /** Removes a participant from a room (its PeerConnections hung up). */
  async kick(room: number, secret: string, id: number) {
    await this.#ask({ request: 'kick', room, secret, id })
  }

  /** Destroys a room; a room Janus no longer has (426) counts as destroyed. */
  async destroy(room: number, secret: string) {
    try {
      await this.#ask({ request: 'destroy', room, secret })
    } catch (error) {
      if ((error as { code?: number }).code !== 426) throw error
    }
  }
}
