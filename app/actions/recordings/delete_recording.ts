import logger from '@adonisjs/core/services/logger'
import Recording from '#models/recording'
import mediaStore from '#services/media_store'

/**
 * Deletes a recording and its file (early by its recorder or the call's initiator, or by the
 * retention job). The row goes first: a file left by a failed delete is unreachable, and the
 * next retention run does not see it; the log says so.
 */
export default class DeleteRecording {
  async handle(recording: Recording) {
    const key = recording.storageKey
    await Recording.query().where('id', recording.id).delete()
    if (!key) return
    await mediaStore.delete(key).catch((error) => logger.error({ err: error, key }, 'could not delete a recording’s file'))
  }
}
