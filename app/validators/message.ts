import vine from '@vinejs/vine'
import Message from '#models/message'
import { recordId } from '#validators/rules'

export const postMessageValidator = vine.create({
  body: vine.string().trim().minLength(1).maxLength(Message.MAX_LENGTH),
})

/** Paging back through a channel: the messages older than `before`. */
export const olderMessagesValidator = vine.create({
  before: recordId(),
})

/** Moving a member's read marker forward. */
export const readMarkerValidator = vine.create({
  messageId: recordId(),
})
