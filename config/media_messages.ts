import env from '#start/env'

/**
 * Voice and video message limits (docs/media_messages.md), each set through the environment.
 * The byte caps come from what the browsers' MediaRecorder writes by default: Opus at about
 * 128 kbit/s (Chromium and Firefox both; measured on the fixtures: 109 and 132 kbit/s), VP8 at
 * about 2.5 Mbit/s. Five minutes of voice at 128 kbit/s is 4.8 MB, two minutes of video at
 * 2.6 Mbit/s is 39 MB; the caps leave room for variable bitrate and the container around it.
 */
const mediaMessagesConfig = {
  voiceMaxSeconds: env.get('VOICE_MESSAGE_MAX_SECONDS') ?? 300,
  videoMaxSeconds: env.get('VIDEO_MESSAGE_MAX_SECONDS') ?? 120,
  voiceMaxBytes: env.get('VOICE_MESSAGE_MAX_BYTES') ?? 8 * 1024 * 1024,
  videoMaxBytes: env.get('VIDEO_MESSAGE_MAX_BYTES') ?? 64 * 1024 * 1024,
  /** Uploads one person may send per minute, refused or not (start/limiter.ts). */
  perMinute: env.get('MEDIA_MESSAGES_PER_MINUTE') ?? 10,
  /**
   * A recorder stops a little after its timer says so (the last chunk is flushed on stop): a
   * recording this much past the maximum is still taken.
   */
  stopLagMs: 1000,
  /** Bars in a voice message's waveform. */
  waveformBars: 64,
}

export default mediaMessagesConfig

export type MediaKind = 'voice' | 'video'

/** The most seconds and bytes a message of `kind` may have. */
export function limitsFor(kind: MediaKind) {
  return kind === 'voice'
    ? { maxSeconds: mediaMessagesConfig.voiceMaxSeconds, maxBytes: mediaMessagesConfig.voiceMaxBytes }
    : { maxSeconds: mediaMessagesConfig.videoMaxSeconds, maxBytes: mediaMessagesConfig.videoMaxBytes }
}

/**
 * What the composer reads (the Edge global `mediaMessageLimits`, start/view.ts), as getters of
 * the config above: what the page says is always what the server enforces, also when a test
 * changes a limit in the running server.
 */
export const mediaMessageLimits = {
  get voiceMaxSeconds() {
    return mediaMessagesConfig.voiceMaxSeconds
  },
  get videoMaxSeconds() {
    return mediaMessagesConfig.videoMaxSeconds
  },
  get voiceMaxBytes() {
    return mediaMessagesConfig.voiceMaxBytes
  },
  get videoMaxBytes() {
    return mediaMessagesConfig.videoMaxBytes
  },
}
