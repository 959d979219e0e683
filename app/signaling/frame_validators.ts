import vine from '@vinejs/vine'
import { REACTIONS } from '#signaling/protocol'

/**
 * VineJS validators for every frame a browser may send, keyed by `type` (see protocol.ts).
 * SDP and ICE candidates stay opaque, only bounded in shape and size.
 */
const candidate = vine
  .object({
    candidate: vine.string().maxLength(2048).optional(),
    sdpMid: vine.string().maxLength(64).nullable().optional(),
    sdpMLineIndex: vine.number().withoutDecimals().min(0).max(255).nullable().optional(),
    usernameFragment: vine.string().maxLength(256).nullable().optional(),
  })
  .nullable()

const signalData = vine.union([
  vine.union.if(
    (value) => vine.helpers.isObject(value) && 'description' in value,
    vine.object({
      description: vine.object({
        type: vine.enum(['offer', 'answer', 'pranswer', 'rollback'] as const),
        sdp: vine.string().maxLength(60_000).optional(),
      }),
    })
  ),
  vine.union.if(
    (value) => vine.helpers.isObject(value) && 'candidate' in value,
    vine.object({ candidate })
  ),
  vine.union.else(vine.object({ description: vine.object({}) })),
])

const sdp = vine.string().minLength(1).maxLength(60_000)
const sfuCandidate = vine
  .object({
    candidate: vine.string().maxLength(2048),
    sdpMid: vine.string().maxLength(64).nullable().optional(),
    sdpMLineIndex: vine.number().withoutDecimals().min(0).max(255).nullable().optional(),
  })
  .nullable()

export const frameValidators = {
  signal: vine.create({
    type: vine.literal('signal'),
    to: vine.number().withoutDecimals().positive(),
    data: signalData,
  }),
  media: vine.create({
    type: vine.literal('media'),
    audio: vine.boolean({ strict: true }),
    video: vine.boolean({ strict: true }),
    screen: vine.boolean({ strict: true }),
  }),
  leave: vine.create({ type: vine.literal('leave') }),
  end: vine.create({ type: vine.literal('end') }),
  hand: vine.create({
    type: vine.literal('hand'),
    raised: vine.boolean({ strict: true }),
    userId: vine.number().withoutDecimals().positive().optional(),
  }),
  reaction: vine.create({
    type: vine.literal('reaction'),
    emoji: vine.enum(REACTIONS),
  }),
  'sfu.publish': vine.create({
    type: vine.literal('sfu.publish'),
    jsep: vine.object({ type: vine.literal('offer'), sdp }),
  }),
  'sfu.subscribe': vine.create({ type: vine.literal('sfu.subscribe') }),
  'sfu.start': vine.create({
    type: vine.literal('sfu.start'),
    jsep: vine.object({ type: vine.literal('answer'), sdp }),
  }),
  'sfu.trickle': vine.create({
    type: vine.literal('sfu.trickle'),
    target: vine.enum(['publisher', 'subscriber'] as const),
    candidate: sfuCandidate,
  }),
  'sfu.leave': vine.create({ type: vine.literal('sfu.leave') }),
}

export type FrameType = keyof typeof frameValidators

export function isFrameType(type: unknown): type is FrameType {
  return typeof type === 'string' && Object.hasOwn(frameValidators, type)
}
