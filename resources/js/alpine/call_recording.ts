import type { LiveChannels } from '../live_channels.js'
import { SseChannel, type ChannelEvent } from '../../../app/realtime/sse_payloads.js'
import type { RecordingStatus } from '../../../app/signaling/protocol.js'
import { requestJson } from '../http.js'
import { isAsked, recordedSentence } from '../calls/recording_view.js'

/**
 * The call page's recording bar (frags/call_recording.edge): the "Recording" indicator with who
 * is recorded, my consent question while I have not answered, Start and Stop. Follows the
 * call's `call.recording` SSE events; DOM wiring only (the sentences are recording_view's).
 */
export function callRecording(live: LiveChannels) {
  return (initial: { callId: number; channelId: number; selfId: number; canStart: boolean; initiatorId: number | null }) => ({
    recording: null as RecordingStatus | null,
    error: '',
    busy: false,
    stop: (() => {}) as () => void,

    async init() {
      const listener = live.listen<ChannelEvent>(SseChannel.channel(initial.channelId), (event) => {
        if (event.type === 'call.recording' && event.callId === initial.callId) this.recording = event.recording
      })
      this.stop = listener.stop
      await listener.ready
      // The state when the page opened (after listening, so no change falls in between).
      const { ok, data } = await requestJson('GET', `/calls/${initial.callId}/recording`)
      if (ok) this.recording = data.recording
    },

    destroy() {
      this.stop()
    },

    asked() {
      return isAsked(this.recording, initial.selfId)
    },

    indicatorText() {
      return recordedSentence(this.recording)
    },

    canStart() {
      return initial.canStart && !this.recording
    },

    canStop() {
      const starter = this.recording?.startedBy
      return Boolean(this.recording) && (starter === initial.selfId || initial.initiatorId === initial.selfId)
    },

    async startRecording() {
      await this.send('POST', `/calls/${initial.callId}/recording`)
    },

    async stopRecording() {
      await this.send('DELETE', `/calls/${initial.callId}/recording`)
    },

    async answer(consented: boolean) {
      if (!this.recording) return
      await this.send('POST', `/recordings/${this.recording.id}/consent`, { consented })
    },

    /** One request of the bar; its refusal (409, 403...) is shown as the server words it. */
    async send(method: string, url: string, body?: unknown) {
      this.busy = true
      this.error = ''
      const { ok, data } = await requestJson(method, url, body)
      this.busy = false
      if (!ok) this.error = data.errors?.[0]?.message ?? 'That did not work; try again.'
      else if (data.recording !== undefined && 'consents' in (data.recording ?? { consents: [] })) this.recording = data.recording
    },
  })
}
