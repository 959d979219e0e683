import { createHmac } from 'node:crypto'
import env from '#start/env'
import type { IceServer } from '#signaling/protocol'

/**
 * The ICE servers a call's browsers use: optional STUN, and TURN with short-lived credentials
 * (the "TURN REST API" scheme coturn implements with `use-auth-secret`): the username is
 * `<expiry unix time>:<user id>`, the password base64(HMAC-SHA1(secret, username)). The secret
 * never leaves the server; a leaked credential stops working after TURN_TTL seconds.
 */
export class IceServers {
  constructor(
    private config = {
      stunUrls: splitUrls(env.get('STUN_URLS')),
      turnUrls: splitUrls(env.get('TURN_URLS')),
      turnSecret: env.get('TURN_SECRET')?.release(),
      turnTtlSeconds: env.get('TURN_TTL') ?? 3600,
      forceRelay: env.get('ICE_TRANSPORT_POLICY') === 'relay',
    }
  ) {}

  /** Seconds the TURN credentials handed out now stay valid. */
  get ttlSeconds() {
    return this.config.turnTtlSeconds
  }

  get hasTurn() {
    return this.config.turnUrls.length > 0 && Boolean(this.config.turnSecret)
  }

  /** `relay` forces every call through TURN (a setting for tests and strict networks). */
  get transportPolicy(): 'all' | 'relay' {
    return this.config.forceRelay && this.hasTurn ? 'relay' : 'all'
  }

  for(userId: number, now = Date.now()): IceServer[] {
    const servers: IceServer[] = []
    if (this.config.stunUrls.length > 0) servers.push({ urls: this.config.stunUrls })
    if (this.hasTurn) {
      const username = `${Math.floor(now / 1000) + this.config.turnTtlSeconds}:${userId}`
      const credential = createHmac('sha1', this.config.turnSecret!).update(username).digest('base64')
      servers.push({ urls: this.config.turnUrls, username, credential })
    }
    return servers
  }
}

function splitUrls(value: string | undefined) {
  return (value ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean)
}
