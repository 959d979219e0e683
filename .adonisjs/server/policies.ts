export const policies = {
  CallPolicy: () => import('#policies/call_policy'),
  ChannelPolicy: () => import('#policies/channel_policy'),
  MessagePolicy: () => import('#policies/message_policy'),
}

