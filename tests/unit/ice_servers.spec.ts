import { test } from '@japa/runner'
import { createHmac } from 'node:crypto'
import { IceServers } from '#services/ice_servers'
import { FrameBucket } from '#signaling/rate_limiter'

const config = (overrides = {}) => ({
  stunUrls: ['stun:stun.example.com:3478'],
  turnUrls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
  turnSecret: 'shared-secret',
  turnTtlSeconds: 600,
  forceRelay: false,
  ...overrides,
})

test.group('IceServers', () => {
  test('TURN REST credentials: "<expiry>:<user id>" signed with the shared secret', ({ assert }) => {
    const now = Date.UTC(2026, 10, 21, 12, 0, 0)
    const [stun, turn] = new IceServers(config()).for(42, now)

    assert.deepEqual(stun, { urls: ['stun:stun.example.com:3478'] })
    assert.equal(turn!.username, `${now / 1000 + 600}:42`)
    assert.equal(turn!.credential, createHmac('sha1', 'shared-secret').update(turn!.username!).digest('base64'))
    assert.deepEqual(turn!.urls, config().turnUrls)
  })

  test('no TURN without both URLs and a secret; relay is only forced when TURN exists', ({ assert }) => {
    assert.deepEqual(new IceServers(config({ turnSecret: undefined })).for(1), [{ urls: ['stun:stun.example.com:3478'] }])
    assert.deepEqual(new IceServers(config({ stunUrls: [], turnUrls: [] })).for(1), [])
    assert.equal(new IceServers(config({ forceRelay: true })).transportPolicy, 'relay')
    assert.equal(new IceServers(config({ forceRelay: true, turnUrls: [] })).transportPolicy, 'all')
  })
})

test.group('FrameBucket', () => {
  test('allows a burst, then the steady rate', ({ assert }) => {
    let now = 0
    const bucket = new FrameBucket(3, 2, () => now)
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false])
    now = 500
    assert.deepEqual([bucket.take(), bucket.take()], [true, false])
    now = 60_000
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false])
  })
})
