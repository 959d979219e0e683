import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import { DateTime } from 'luxon'
import type User from '#models/user'
import type Call from '#models/call'
import CallParticipant from '#models/call_participant'
import callsConfig from '#config/calls'
import recordingConfig from '#config/recording'
import type Recording from '#models/recording'

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

  /**
   * Starting a recording (docs/recording.md): someone in the call, and with CALL_RECORDING=
   * initiator (the default) only the person who started the call; never with recording off.
   */
  async startRecording(user: User, call: Call): Promise<AuthorizerResponse> {
    if (recordingConfig.who === 'off') return AuthorizationResponse.deny('Recording is turned off on this server.', 403)
    if (!(await isInCall(user, call))) return AuthorizationResponse.deny('Only people in this call can record it.', 403)
    if (recordingConfig.who === 'initiator' && call.initiatorId !== user.id) {
      return AuthorizationResponse.deny('Only the person who started the call can record it.', 403)
    }
    return true
  }

  /** Stopping it: whoever started it, or the call's initiator (anyone in the call with CALL_RECORDING=anyone). */
  async stopRecording(user: User, call: Call, recording: Recording): Promise<AuthorizerResponse> {
    if (recording.startedById === user.id || call.initiatorId === user.id) return true
    if (recordingConfig.who === 'anyone' && (await isInCall(user, call))) return true
    return AuthorizationResponse.deny('Only the person who started the recording, or the call, can stop it.', 403)
  }

  /** Deleting a finished recording before its time: whoever started it, or the call's initiator. */
  deleteRecording(user: User, call: Call, recording: Recording): AuthorizerResponse {
    if (recording.startedById === user.id || call.initiatorId === user.id) return true
    return AuthorizationResponse.deny('Only the person who recorded this call, or who started it, can delete the recording.', 403)
  }
}

async function isInCall(user: User, call: Call) {
  const participant = await CallParticipant.query().where({ callId: call.id, userId: user.id }).first()
  return participant?.status === 'joined' && call.isLive
}
