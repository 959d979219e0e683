import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import MessagePosted from '#events/message_posted'
import MessageDeleted from '#events/message_deleted'
import CallStarted from '#events/call_started'
import CallUpdated from '#events/call_updated'
import CallEnded from '#events/call_ended'

const BroadcastMessage = () => import('#listeners/broadcast_message')
const BroadcastMessageDeletion = () => import('#listeners/broadcast_message_deletion')
const CallNotifier = () => import('#listeners/call_notifier')
const ArmRingTimer = () => import('#listeners/arm_ring_timer')
const SyncCallSockets = () => import('#listeners/sync_call_sockets')
const RecordCallMetrics = () => import('#listeners/record_call_metrics')
const CloseSfuRoom = () => import('#listeners/close_sfu_room')
const StopCallRecording = () => import('#listeners/stop_call_recording')

emitter.listen(MessagePosted, [BroadcastMessage])
emitter.listen(MessageDeleted, [BroadcastMessageDeletion])
emitter.listen(CallStarted, [CallNotifier, ArmRingTimer, RecordCallMetrics])
emitter.listen(CallUpdated, [CallNotifier, SyncCallSockets, RecordCallMetrics])
emitter.listen(CallEnded, [CallNotifier, SyncCallSockets, RecordCallMetrics, StopCallRecording, CloseSfuRoom])

/*
| Listeners run after the data is committed: a failing broadcast must not turn a request that
| succeeded into an error page. Log it instead.
*/
emitter.onError((event, error) => {
  logger.error({ err: error, event: typeof event === 'string' ? event : event?.constructor?.name }, 'event listener failed')
})
