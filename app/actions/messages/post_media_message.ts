import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import type Channel from '#models/channel'
import Message from '#models/message'
import MessageMedia from '#models/message_media'
import Membership from '#models/membership'
import MessagePosted from '#events/message_posted'
import mediaStore from '#services/media_store'
import { probeRecording } from '#media/probe_recording'
import { MediaProblem } from '#media/container_report'
import mediaMessagesConfig, { limitsFor, type MediaKind } from '#config/media_messages'
import { recordMediaPosted } from '#metrics/media_metrics'

/**
 * Posts a voice or video message from a fully received upload (docs/media_messages.md). The
 * bytes are judged first (type, tracks, length, waveform), then the file is stored, then the
 * rows are written in one transaction; if that fails, the stored file is deleted again. So a
 * message exists only with its whole, validated recording, and a refusal leaves nothing.
 */
export default class PostMediaMessage {
  async handle(author: User, channel: Channel, kind: MediaKind, upload: { path: string; bytes: number }) {
    const limits = limitsFor(kind)
    if (upload.bytes > limits.maxBytes) throw MediaProblem.tooLarge(kind, limits.maxBytes)
    const startedAt = performance.now()
    const facts = await probeRecording(upload.path, kind, {
      maxSeconds: limits.maxSeconds,
      stopLagMs: mediaMessagesConfig.stopLagMs,
      bars: mediaMessagesConfig.waveformBars,
    })

    const storageKey = MessageMedia.storageKeyFor(channel.id, facts.extension)
    await mediaStore.putFromFile(storageKey, upload.path, facts.mimeType)
    let message: Message
    try {
      message = await db.transaction(async (trx) => {
        const created = await Message.create({ channelId: channel.id, userId: author.id, body: '', kind }, { client: trx })
        await MessageMedia.create(
          { messageId: created.id, storageKey, mimeType: facts.mimeType, byteSize: upload.bytes, durationMs: facts.durationMs, peaks: facts.peaks },
          { client: trx }
        )
        await Membership.query({ client: trx })
          .where({ channelId: channel.id, userId: author.id })
          .update({ lastReadMessageId: created.id })
        return created
      })
    } catch (error) {
      await mediaStore.delete(storageKey).catch(() => {})
      throw error
    }
    recordMediaPosted(kind, (performance.now() - startedAt) / 1000)
    await message.load('media')
    message.$setRelated('author', author)
    await MessagePosted.dispatch(message, channel)
    return message
  }
}
