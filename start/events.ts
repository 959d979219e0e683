import emitter from '@adonisjs/core/services/emitter'
import MessagePosted from '#events/message_posted'

const BroadcastMessage = () => import('#listeners/broadcast_message')

emitter.listen(MessagePosted, [BroadcastMessage])
