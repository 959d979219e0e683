import vine from '@vinejs/vine'

/** The fields beside the recording: what kind of message it is to be. */
export const mediaMessageValidator = vine.create({
  kind: vine.enum(['voice', 'video'] as const),
})
