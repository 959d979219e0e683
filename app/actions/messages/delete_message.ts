import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Message from '#models/message'
import MessageMedia from '#models/message_media'
import MessageDeleted from '#events/message_deleted'
import mediaStore from '#services/media_store'

/**
 * Deletes a message and its recording's row in one transaction, then its file once that is
 * committed (a file deleted first would leave a message that cannot play if the commit
 * failed), then announces it. A file that cannot be deleted is logged with its key: the
 * message is gone for everyone either way.
 */
export default class DeleteMessage {
  async handle(message: Message) {
    const storageKey = await db.transaction(async (trx) => {
      const media = await MessageMedia.query({ client: trx }).where('message_id', message.id).first()
      await media?.useTransaction(trx).delete()
      await Message.query({ client: trx }).where('id', message.id).delete()
      return media?.storageKey ?? null
    })
    if (storageKey) {
      await mediaStore.delete(storageKey).catch((error) => {
        logger.error({ err: error, storageKey }, 'could not delete a deleted message’s recording')
      })
    }
    await MessageDeleted.dispatch(message.id, message.channelId)
  }
}
