export const policies = {
  ChannelPolicy: () => import('#policies/channel_policy'),
}

