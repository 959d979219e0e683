import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import User from '#models/user'
import Channel from '#models/channel'

/**
 * What a person may do with a channel. Membership itself is checked by loading channels through
 * the current user (a non-member gets a 404); this policy adds the rules that depend on the kind.
 */
export default class ChannelPolicy extends BasePolicy {
  /** Only public channels are open to anyone. */
  join(_user: User, channel: Channel): AuthorizerResponse {
    return channel.isPublic
  }

  /** A direct message always keeps its two people. */
  leave(_user: User, channel: Channel): AuthorizerResponse {
    return channel.isDirect ? AuthorizationResponse.deny('A direct message cannot be left.', 403) : true
  }

  /** Members may add people to public and private channels, never to a direct message. */
  invite(_user: User, channel: Channel): AuthorizerResponse {
    return channel.isDirect ? AuthorizationResponse.deny('People cannot be added to a direct message.', 403) : true
  }
}
