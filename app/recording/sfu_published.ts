import { EventEmitter } from 'node:events'
import type { SfuParticipant } from '#sfu/sfu_participant'

/**
 * Someone's publisher was (re)configured on this instance: the call recorder starts Janus's
 * recording of it then if they consented. An emitter of its own so that the call hub does not
 * import the recorder (which imports the hub).
 */
export const sfuPublished = new EventEmitter<{ published: [callId: number, participant: SfuParticipant] }>()
