import vine from '@vinejs/vine'

/** The SSE stream's client id: Transmit's client sends a random UUID. */
export const transmitStreamValidator = vine.create({
  uid: vine.string().uuid(),
})

/** Subscribing to a channel: only the channel families Confab publishes exist. */
export const transmitSubscriptionValidator = vine.create({
  uid: vine.string().uuid(),
  channel: vine
    .string()
    .maxLength(64)
    .regex(/^(channels|users)\/[1-9]\d{0,9}$/),
})
