import recordingConfig from '#config/recording'
import sfuRooms from '#sfu/main'
import { recordingTools } from '#recording/recording_tools'

/**
 * Why calls cannot be recorded on this server right now, or null when they can: turned off
 * (CALL_RECORDING=off), no Janus (JANUS_URLS, CALL_SFU_FROM=off), or no ffmpeg/janus-pp-rec.
 */
export function recordingUnavailable(): string | null {
  if (recordingConfig.who === 'off') return 'Recording is turned off on this server.'
  if (!sfuRooms.enabled || !sfuRooms.servers.some((server) => server.connection.state === 'up')) {
    return 'Recording needs the media server (Janus), which this server does not have or cannot reach.'
  }
  const missing = recordingTools.missing()
  if (missing) return `Recording needs ffmpeg and janus-pp-rec on the server: ${missing}.`
  return null
}
