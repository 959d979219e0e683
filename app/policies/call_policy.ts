import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import { DateTime } from 'luxon'
import type User from '#models/user'
import type Call from '#models/call'
import CallParticipant from '#models/call_participant'
import callsConfig from '#config/calls'

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

  /** Lowering someone else's raised hand (a host's "got it") is the initiator's too; one's own hand is one's own. */
  lowerHand(user: User, call: Call): AuthorizerResponse {
    return call.initiatorId === user.id
      ? true
      : AuthorizationResponse.deny('Only the person who started the call can lower someone else’s hand.', 403)
  }

  /**
   * Quality reports come from the browsers of people in the call. A report already on its way
   * when the person left, or when the call ended (which moves everyone to `left`), is still
   * taken for `qualityReportGraceSeconds` after; past that, or from someone who never joined, 403.
   */
  async reportQuality(user: User, call: Call): Promise<AuthorizerResponse> {
    const participant = await CallParticipant.query().where({ callId: call.id, userId: user.id }).first()
    const inCall = participant?.status === 'joined' && call.isLive
    const leftJustNow =
      participant?.joinedAt && participant.leftAt && participant.leftAt > DateTime.now().minus({ seconds: callsConfig.qualityReportGraceSeconds })
    return inCall || leftJustNow ? true : AuthorizationResponse.deny('Only people in this call can report on its quality.', 403)
  }
}
