import type CallUpdated from '#events/call_updated'
import type CallEnded from '#events/call_ended'
import callHub from '#signaling/call_hub'

/** Keeps the call's WebSockets in step with a committed transition (left, ended ...). */
export default class SyncCallSockets {
  async handle({ change }: CallUpdated | CallEnded) {
    await callHub.sync(change.call.id)
  }
}
