import { test } from '@japa/runner'
import Channel from '#models/channel'
import User from '#models/user'
import ChannelPolicy from '#policies/channel_policy'

test.group('Channel', () => {
  test('the direct key is the same whoever opens the conversation', ({ assert }) => {
    assert.equal(Channel.directKeyFor(7, 3), '3:7')
    assert.equal(Channel.directKeyFor(3, 7), '3:7')
    assert.notEqual(Channel.directKeyFor(1, 23), Channel.directKeyFor(12, 3))
  })

  test('a direct message is named after the other person', ({ assert }) => {
    const alice = new User().merge({ id: 1, fullName: 'Alice Martin' })
    const bob = new User().merge({ id: 2, fullName: 'Bob Nguyen' })
    const dm = new Channel().merge({ kind: 'direct', name: null })
    dm.$setRelated('members', [alice, bob])
    assert.equal(dm.titleFor(alice), 'Bob Nguyen')
    assert.equal(dm.titleFor(bob), 'Alice Martin')

    const general = new Channel().merge({ kind: 'public', name: 'general' })
    assert.equal(general.titleFor(alice), 'general')
  })

  test('the policy opens only public channels and never lets a DM be left', ({ assert }) => {
    const policy = new ChannelPolicy()
    const allowed = (response: boolean | { authorized: boolean }) =>
      typeof response === 'boolean' ? response : response.authorized
    const user = new User()
    const kinds = ['public', 'private', 'direct'] as const
    const rules = kinds.map((kind) => {
      const channel = new Channel().merge({ kind })
      return [
        kind,
        allowed(policy.join(user, channel) as boolean),
        allowed(policy.leave(user, channel) as boolean),
        allowed(policy.invite(user, channel) as boolean),
      ]
    })
    assert.deepEqual(rules, [
      ['public', true, true, true],
      ['private', false, true, true],
      ['direct', false, false, false],
    ])
  })
})

test.group('User', () => {
  test('initials and first name come from the full name', ({ assert }) => {
    const user = new User().merge({ fullName: '  ada   lovelace king ' })
    assert.equal(user.initials, 'AL')
    assert.equal(user.firstName, 'ada')
  })
})
