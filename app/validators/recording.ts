import vine from '@vinejs/vine'

/** A participant's answer to being recorded: yes (true) or no (false), required. */
export const recordingConsentValidator = vine.create({
  consented: vine.boolean(),
})
