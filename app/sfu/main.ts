import env from '#start/env'
import { SfuRooms } from '#sfu/sfu_rooms'

/** The process's Janus servers and call rooms; connected by the SFU provider when JANUS_URLS is set. */
const sfuRooms = new SfuRooms(env.get('APP_KEY').release())
export default sfuRooms
