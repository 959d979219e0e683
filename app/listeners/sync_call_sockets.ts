import type CallUpdated from '#events/call_updated'
import type CallEnded from '#events/call_ended'
import callHub from '#signaling/call_hub'

/** Keeps the call's WebSockets in step with a committed transition (who left, the end), from the change alone. */
export default class SyncCallSockets {
  handle({ change }: CallUpdated | CallEnded) {
    callHub.sync(change)
  }
}
