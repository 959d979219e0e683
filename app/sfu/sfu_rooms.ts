import { EventEmitter } from 'node:events'
import { createHmac, randomInt } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import Call from '#models/call'
import { backToMeshAt } from '#config/sfu'
import { JanusConnection, type JanusConnectionOptions } from '#sfu/janus_connection'
import { JanusError } from '#sfu/janus_protocol'
import { VideoRoomAdmin, type RoomParticipant } from '#sfu/video_room_admin'

/** A call's room: on which Janus, and its id there. */
export interface CallRoom {
  server: string
  room: number
}

/** One configured Janus server: its connection and VideoRoom admin handle. */
export interface SfuServer {
  url: string
  connection: JanusConnection
  admin: VideoRoomAdmin
}

type Events = {
  serverDown: [url: string, reason: string]
  serverUp: [url: string, info: { reconnected: boolean }]
}

/** Room ids Confab picks: random, below 2^31 so that every database's INTEGER holds them. */
const ROOM_ID_MAX = 2 ** 31 - 1
/** A fresh id collides with an existing room (Janus 427) so rarely that a few tries suffice. */
const CREATE_ATTEMPTS = 5
const ROOM_EXISTS = 427

/**
 * The Janus servers Confab owns (JANUS_URLS) and the VideoRoom rooms of calls on them. A new
 * call's room goes to the reachable server holding the fewest rooms right now (as Janus's own
 * `list` says, so rooms of other Confab instances count too); a tie goes to the server listed
 * first. Each room's secret and pin are derived from APP_KEY and the room, so any instance can
 * act on a room another created, and neither is stored.
 */
export class SfuRooms extends EventEmitter<Events> {
  #servers = new Map<string, SfuServer>()
  /** CALL_SFU_FROM as configured with the servers: null, never; 0, every call. */
  sfuFrom: number | null = null
  /** CALL_BACK_TO_MESH_AT: a call on the SFU goes back to the mesh at this many joined; null, never. */
  backToMeshAt: number | null = null

  constructor(private secretKey: string) {
    super()
  }

  get enabled() {
    return this.#servers.size > 0
  }

  get servers() {
    return [...this.#servers.values()]
  }

  server(url: string) {
    return this.#servers.get(url)
  }

  /**
   * Whether a call goes through the SFU: it has a room already, or every call does
   * (CALL_SFU_FROM=0) and a server is up. Otherwise it is a mesh (CallSfu moves it at
   * CALL_SFU_FROM, and back).
   */
  usesSfu(call: { sfuRoomId: number | null }) {
    if (!this.enabled) return false
    if (call.sfuRoomId !== null) return true
    return this.sfuFrom === 0 && this.servers.some((server) => server.connection.state === 'up')
  }

  /** Connects to these servers (closing any previous ones). An empty list: mesh only. */
  async use(urls: string[], options: JanusConnectionOptions = {}, sfuFrom: number | null = null, meshAt = backToMeshAt(sfuFrom, undefined)) {
    await this.close()
    this.sfuFrom = urls.length > 0 ? sfuFrom : null
    this.backToMeshAt = urls.length > 0 ? meshAt : null
    for (const url of urls) {
      const connection = new JanusConnection(url, options)
      connection.on('down', (reason) => this.emit('serverDown', url, reason))
      connection.on('up', ({ reconnected }) => this.emit('serverUp', url, { reconnected }))
      this.#servers.set(url, { url, connection, admin: new VideoRoomAdmin(connection) })
      connection.start()
    }
  }

  async close() {
    const servers = this.servers
    this.#servers.clear()
    this.sfuFrom = null
    this.backToMeshAt = null
    await Promise.all(servers.map((server) => server.connection.close()))
  }

  /** The room's secret (destroying it) and pin (joining it), the same on every instance. */
  credentials(server: string, room: number) {
    const derive = (purpose: string) =>
      createHmac('sha256', this.secretKey).update(`${purpose}:${server}:${room}`).digest('base64url').slice(0, 32)
    return { secret: derive('sfu-room-secret'), pin: derive('sfu-room-pin') }
  }

  /** The placement rule: the reachable server with the fewest rooms, the first listed on a tie. */
  async pickServer(): Promise<SfuServer> {
    const counted = await Promise.all(
      this.servers.map(async (server) => {
        if (server.connection.state !== 'up') return null
        try {
          return { server, rooms: (await server.admin.list()).length }
        } catch {
          return null
        }
      })
    )
    const candidates = counted.filter((entry) => entry !== null)
    if (candidates.length === 0) throw new JanusError(0, 'No Janus server is reachable')
    return candidates.reduce((best, entry) => (entry.rooms < best.rooms ? entry : best)).server
  }

  /**
   * The call's room, created when it has none yet. Two instances racing both create one, but
   * only one conditional update stores its room; the loser destroys its own and uses the winner's.
   */
  async openFor(callId: number, publishers: number): Promise<CallRoom> {
    const existing = await Call.findOrFail(callId)
    if (existing.sfuRoomId !== null && existing.sfuServer !== null) return { server: existing.sfuServer, room: existing.sfuRoomId }
    const server = await this.pickServer()
    const room = await this.#create(server, callId, publishers)
    const stored = await db
      .from('calls')
      .where('id', callId)
      .whereNull('sfu_room_id')
      .whereIn('status', Call.LIVE_STATUSES)
      .update({ sfu_room_id: room, sfu_server: server.url })
    if (Number(stored) === 1) return { server: server.url, room }
    await server.admin.destroy(room, this.credentials(server.url, room).secret).catch(() => {})
    const winner = await Call.findOrFail(callId)
    if (winner.sfuRoomId === null || winner.sfuServer === null) throw new JanusError(0, 'The call is no longer live')
    return { server: winner.sfuServer, room: winner.sfuRoomId }
  }

  async #create(server: SfuServer, callId: number, publishers: number) {
    for (let attempt = 1; ; attempt++) {
      const room = randomInt(1, ROOM_ID_MAX)
      const { secret, pin } = this.credentials(server.url, room)
      try {
        await server.admin.create({ room, secret, pin, publishers, description: `Confab call ${callId}` })
        return room
      } catch (error) {
        if ((error as JanusError).code !== ROOM_EXISTS || attempt >= CREATE_ATTEMPTS) throw error
      }
    }
  }

  /** The call's room, if it has one. */
  async roomOf(callId: number): Promise<CallRoom | null> {
    const call = await Call.find(callId)
    if (!call || call.sfuRoomId === null || call.sfuServer === null) return null
    return { server: call.sfuServer, room: call.sfuRoomId }
  }

  async participants(room: CallRoom): Promise<RoomParticipant[]> {
    return this.#serverOf(room).admin.participants(room.room)
  }

  /**
   * Destroys the call's room (Janus hangs up everyone in it) and forgets it on the call. A room
   * on a server that is gone or no longer configured is just forgotten: Janus lost it anyway.
   */
  async closeFor(callId: number) {
    const room = await this.roomOf(callId)
    if (!room) return
    const server = this.#servers.get(room.server)
    if (server?.connection.state === 'up') {
      await server.admin.destroy(room.room, this.credentials(room.server, room.room).secret)
    }
    await db.from('calls').where('id', callId).where('sfu_room_id', room.room).update({ sfu_room_id: null, sfu_server: null })
  }

  /**
   * The call goes back to the mesh: its room is taken off the call, if it is still this room (a
   * conditional update: of several instances deciding at once, one wins, and only it goes on).
   * The Janus room itself lives on until its pages have left it (see retire).
   */
  async forget(callId: number, room: CallRoom) {
    const cleared = await db
      .from('calls')
      .where({ id: callId, sfu_room_id: room.room, sfu_server: room.server })
      .update({ sfu_room_id: null, sfu_server: null })
    return Number(cleared) === 1
  }

  /**
   * Destroys a room the call no longer uses once nobody is left in it (each page leaves after its
   * mesh plays), or after `deadlineMs` whoever is still there: a page that never said so must
   * not keep a room alive. A server that is gone took the room with it.
   */
  async retire(room: CallRoom, deadlineMs = 20_000, pollMs = 500) {
    const server = this.#servers.get(room.server)
    const deadline = Date.now() + deadlineMs
    while (server?.connection.state === 'up' && Date.now() < deadline) {
      const inside = await server.admin.participants(room.room).catch(() => [])
      if (inside.length === 0) break
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
    if (server?.connection.state !== 'up') return
    await server.admin.destroy(room.room, this.credentials(room.server, room.room).secret)
  }

  #serverOf(room: CallRoom) {
    const server = this.#servers.get(room.server)
    if (!server) throw new JanusError(0, `Janus ${room.server} is not configured`)
    return server
  }
}
