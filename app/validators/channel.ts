import vine from '@vinejs/vine'
import { recordId } from '#validators/rules'

/**
 * Channel names are short, lower-case, without spaces ("design-review"), like Slack's, so they
 * read well after a "#" and stay unique however people type them.
 */
export const createChannelValidator = vine.create({
  name: vine
    .string()
    .trim()
    .toLowerCase()
    .minLength(2)
    .maxLength(80)
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .unique({ table: 'channels', column: 'name' }),
  topic: vine.string().trim().maxLength(250).optional(),
  kind: vine.enum(['public', 'private'] as const),
})

/** Adding someone to a channel. */
export const inviteMemberValidator = vine.create({
  userId: recordId().exists({ table: 'users', column: 'id' }),
})

/** "Message Bob": the other person of a direct-message channel. */
export const directChannelValidator = vine.create({
  userId: recordId().exists({ table: 'users', column: 'id' }),
})
