import { readCookie } from '../http.js'
import { MediaComposer, type ComposerState, type RecordingLimits } from '../messages/media_composer.js'
import { formatClock } from '../messages/recording_timer.js'
import type { RecordingKind } from '../messages/media_recording.js'

/** What the recorder hands the timeline (channelStream listens for it on its element). */
export const MESSAGE_SENT_EVENT = 'message-sent'

type Options = RecordingLimits & { uploadUrl: string }

/**
 * The composer's Record voice / Record video controls (frags/media_recorder.edge). DOM wiring
 * only: MediaComposer records, times, meters and uploads; this copies its state into the
 * template, binds the camera and the playback to their elements, and hands the sent message's
 * fragment to the timeline as an event, so it enters through channelStream's one way in.
 */
export function mediaComposer({ uploadUrl, ...limits }: Options) {
  let composer: MediaComposer | null = null
  let stopWatching: (() => void) | null = null
  return {
    phase: 'idle' as ComposerState['phase'],
    kind: null as RecordingKind | null,
    elapsedMs: 0,
    maxMs: 0,
    level: 0,
    progress: 0,
    error: '',
    playbackUrl: '',

    init() {
      composer = new MediaComposer({
        uploadUrl,
        limits,
        headers: () => ({ 'X-XSRF-TOKEN': readCookie('XSRF-TOKEN'), 'HX-Request': 'true', 'Accept': 'text/html' }),
      })
      const offChange = composer.on('change', (state) => this.follow(state))
      const offSent = composer.on('sent', (message) => (this as any).$dispatch(MESSAGE_SENT_EVENT, message))
      stopWatching = () => {
        offChange()
        offSent()
      }
    },

    destroy() {
      stopWatching?.()
      composer?.cancel()
      this.setPlayback(null)
      composer = null
    },

    follow(state: ComposerState) {
      const phaseChanged = state.phase !== this.phase
      Object.assign(this, {
        phase: state.phase,
        kind: state.kind,
        elapsedMs: state.elapsedMs,
        maxMs: state.maxMs,
        level: state.level,
        progress: state.progress,
        error: state.error,
      })
      if (phaseChanged) this.phaseChanged(state)
    },

    /** Binds the camera or the recording to the elements that show them, and moves the focus along. */
    phaseChanged(state: ComposerState) {
      const refs = (this as any).$refs as Record<string, HTMLElement | undefined>
      const camera = refs.camera as HTMLVideoElement | undefined
      if (camera) camera.srcObject = state.stream
      if (state.phase === 'recorded' || state.phase === 'uploading') {
        if (state.recording && !this.playbackUrl) this.setPlayback(state.recording)
      } else {
        this.setPlayback(null)
      }
      const focusTarget = { recording: refs.stop, recorded: refs.send, idle: refs.recordVoice }[state.phase as string]
      ;(this as any).$nextTick(() => focusTarget?.focus())
    },

    setPlayback(recording: Blob | null) {
      if (this.playbackUrl) URL.revokeObjectURL(this.playbackUrl)
      this.playbackUrl = recording ? URL.createObjectURL(recording) : ''
    },

    recordVoice() {
      void composer?.start('voice')
    },

    recordVideo() {
      void composer?.start('video')
    },

    stop() {
      void composer?.stop()
    },

    send() {
      void composer?.send()
    },

    discard() {
      composer?.discard()
    },

    abortUpload() {
      composer?.abortUpload()
    },

    /** Escape anywhere on the page ends what is under way; it does nothing when nothing is. */
    cancel(event: KeyboardEvent) {
      if (this.phase === 'idle') return
      event.preventDefault()
      composer?.cancel()
    },

    get active() {
      return this.phase !== 'idle'
    },

    get recording() {
      return this.phase === 'starting' || this.phase === 'recording' || this.phase === 'stopping'
    },

    get reviewing() {
      return this.phase === 'recorded' || this.phase === 'uploading'
    },

    get uploading() {
      return this.phase === 'uploading'
    },

    get showsCamera() {
      return this.kind === 'video' && this.recording
    },

    get playsVideo() {
      return this.kind === 'video' && this.reviewing
    },

    get playsAudio() {
      return this.kind === 'voice' && this.reviewing
    },

    /** "0:03 / 5:00" */
    get timerText() {
      return `${formatClock(this.elapsedMs)} / ${formatClock(this.maxMs)}`
    },

    get statusText() {
      const what = this.kind === 'video' ? 'video' : 'voice'
      if (this.phase === 'starting') return `Opening your ${what === 'video' ? 'camera' : 'microphone'}…`
      if (this.phase === 'recording') return `Recording a ${what} message`
      if (this.phase === 'uploading') return `Sending… ${Math.round(this.progress * 100)}%`
      if (this.phase === 'recorded') return `Your ${what} message, ${formatClock(this.elapsedMs)}`
      return ''
    },
  }
}
