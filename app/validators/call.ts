import vine from '@vinejs/vine'
import { recordId } from '#validators/rules'

export const startCallValidator = vine.create({
  kind: vine.enum(['audio', 'video'] as const),
})

/** The call history: which tab, and where the page starts (keyset: calls older than `before`). */
export const callHistoryValidator = vine.create({
  tab: vine.enum(['missed', 'all'] as const).optional(),
  before: recordId().optional(),
})
