import vine from '@vinejs/vine'

/** Small rule helpers shared by the validators of several resources. */
export const email = () => vine.string().trim().toLowerCase().email().maxLength(254)
export const password = () => vine.string().minLength(8).maxLength(128)
export const recordId = () => vine.number().withoutDecimals().positive()
