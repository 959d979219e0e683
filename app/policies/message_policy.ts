import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import type Message from '#models/message'

/**
 * What a person may do with a message. Seeing it at all needs membership of its channel
 * (`Message.findForMember` answers 404 otherwise); this policy holds the rules on top of it.
 */
export default class MessagePolicy extends BasePolicy {
  /**
   * Only its author deletes a message (as in Slack by default and WhatsApp). A call's entry is
   * the call's record for everyone in it, not anyone's message: it cannot be deleted.
   */
  delete(user: User, message: Message): AuthorizerResponse {
    if (message.isCallEntry) return AuthorizationResponse.deny('A call in the timeline cannot be deleted.', 403)
    return message.userId === user.id ? true : AuthorizationResponse.deny('Only its author can delete a message.', 403)
  }
}
