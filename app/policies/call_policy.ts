import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import type Call from '#models/call'

/**
 * What a person may do with a call. Seeing a call at all needs membership of its channel
 * (`Call.findForMember` answers 404 otherwise); this policy holds the rules on top of it.
 */
export default class CallPolicy extends BasePolicy {
  /** Ending a call for everyone is the initiator's decision alone (as in Slack huddles). */
  end(user: User, call: Call): AuthorizerResponse {
    return call.initiatorId === user.id
      ? true
      : AuthorizationResponse.deny('Only the person who started the call can end it for everyone.', 403)
  }
}

