/*
| Every environment variable Confab reads, validated at boot: a typo or a missing value stops
| the app with a clear message instead of failing later. `.env.example` documents each one.
*/
import { isIP } from 'node:net'
import { Env } from '@adonisjs/core/env'
import { Secret } from '@adonisjs/core/helpers'

/** An optional whole number within [min, max], with a message naming the variable. */
function integerBetween(min: number, max: number) {
  return (name: string, value?: string) => {
    if (value === undefined || value === '') return undefined
    const number = Number(value)
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${value}")`)
    }
    return number
  }
}

/** An optional redis:// or rediss:// URL. */
function redisUrl(name: string, value?: string) {
  if (value === undefined || value === '') return undefined
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {}
  if (!url || !['redis:', 'rediss:'].includes(url.protocol)) {
    throw new Error(`${name} must be a redis:// or rediss:// URL (got "${value}")`)
  }
  return value
}

/** SESSION_DRIVER: where sessions live. The cookie store is refused by name (see docs/deploy.md). */
function sessionDriver(name: string, value?: string) {
  if (value === undefined || value === '') return undefined
  if (value === 'cookie') {
    throw new Error(`${name}=cookie is no longer supported: a copied cookie would outlive sign-out. Use database (default) or redis`)
  }
  if (!['database', 'redis', 'memory'].includes(value)) {
    throw new Error(`${name} must be one of database, redis, memory (got "${value}")`)
  }
  return value as 'database' | 'redis' | 'memory'
}

/** JANUS_URLS: comma-separated ws:// or wss:// URLs of the Janus servers' WebSocket API. */
function janusUrls(name: string, value?: string) {
  if (value === undefined || value.trim() === '') return undefined
  const urls = value.split(',').map((url) => url.trim()).filter(Boolean)
  for (const url of urls) {
    let parsed: URL | null = null
    try {
      parsed = new URL(url)
    } catch {}
    if (!parsed || !['ws:', 'wss:'].includes(parsed.protocol)) {
      throw new Error(`${name} must be comma-separated ws:// or wss:// URLs (got "${url}")`)
    }
  }
  if (new Set(urls).size !== urls.length) throw new Error(`${name} lists a URL twice`)
  return urls
}

/**
 * CALL_SFU_FROM (a participant count, 0 = always the SFU) and CALL_BACK_TO_MESH_AT: a count or
 * `off`. That the second is below the first is checked in config/sfu.ts, which sees both.
 */
function countOrOff(name: string, value?: string) {
  if (value === undefined || value === '') return undefined
  if (value === 'off') return 'off' as const
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0 || number > 1000) {
    throw new Error(`${name} must be a whole number from 0 to 1000, or off (got "${value}")`)
  }
  return number
}

const PROXY_SETS = ['loopback', 'linklocal', 'uniquelocal']

/**
 * TRUSTED_PROXIES: the proxies whose X-Forwarded-For is believed, as proxy-addr takes them
 * (comma-separated IPs, CIDR ranges or the names loopback, linklocal, uniquelocal), or `none`.
 */
function trustedProxies(name: string, value?: string) {
  if (value === undefined || value.trim() === '') return undefined
  if (value.trim() === 'none') return 'none'
  const entries = value.split(',').map((entry) => entry.trim())
  for (const entry of entries) {
    if (PROXY_SETS.includes(entry)) continue
    const [address, prefix, extra] = entry.split('/')
    const version = isIP(address ?? '')
    const maxPrefix = version === 6 ? 128 : 32
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix)
    if (!version || !prefixOk || extra !== undefined) {
      throw new Error(`${name} must list IPs, CIDR ranges, loopback, linklocal, uniquelocal or be "none" (bad entry "${entry}")`)
    }
  }
  return entries.join(',')
}

/**
 * METRICS_TOKEN: the bearer token `GET /metrics` wants (unset: the route is off). At least 16
 * visible characters without spaces, so that it fits an Authorization header and is not guessable.
 */
function metricsToken(name: string, value?: string) {
  if (value === undefined || value === '') return undefined
  if (value.length < 16 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new Error(`${name} must be at least 16 visible characters without spaces (e.g. \`openssl rand -hex 32\`)`)
  }
  return new Secret(value)
}

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  HOST: Env.schema.string.optional({ format: 'host' }),
  PORT: Env.schema.number.optional(),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  LOG_LEVEL: Env.schema.enum.optional(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),

  SESSION_DRIVER: sessionDriver,
  TRUSTED_PROXIES: trustedProxies,

  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  MYSQL_HOST: Env.schema.string.optional({ format: 'host' }),
  MYSQL_PORT: Env.schema.number.optional(),
  MYSQL_USER: Env.schema.string.optional(),
  MYSQL_PASSWORD: Env.schema.string.optional(),
  MYSQL_DB_NAME: Env.schema.string.optional(),
  DB_TIMEOUT: integerBetween(100, 600_000),

  LIMITER_STORE: Env.schema.enum.optional(['database', 'memory'] as const),
  LOGIN_MAX_ATTEMPTS: integerBetween(1, 100),
  LOGIN_BACKOFF_SECONDS: integerBetween(1, 3600),
  LOGIN_MAX_FAILURES_PER_IP: integerBetween(1, 100_000),
  MESSAGES_PER_MINUTE: integerBetween(1, 100_000),
  CHANNELS_PER_HOUR: integerBetween(1, 100_000),
  SIGNUPS_PER_HOUR: integerBetween(1, 100_000),

  CALL_RING_TIMEOUT: integerBetween(10, 120),
  CALL_RING_MAX_MEMBERS: integerBetween(2, 1000),
  CALL_STARTS_PER_MINUTE: integerBetween(1, 600),
  // Up to 16 on a mesh, 100 with an SFU: config/calls.ts checks which applies.
  CALL_MAX_PARTICIPANTS: integerBetween(2, 100),
  CALL_RECONNECT_GRACE: integerBetween(1, 300),
  CALL_SOCKET_MAX_BUFFERED: integerBetween(65_536, 67_108_864),
  CALL_QUALITY_REPORTS_PER_MINUTE: integerBetween(1, 6000),

  STUN_URLS: Env.schema.string.optional(),
  TURN_URLS: Env.schema.string.optional(),
  TURN_SECRET: Env.schema.secret.optional(),
  TURN_TTL: integerBetween(60, 86_400),
  ICE_TRANSPORT_POLICY: Env.schema.enum.optional(['all', 'relay'] as const),

  JANUS_URLS: janusUrls,
  JANUS_API_SECRET: Env.schema.secret.optional(),
  CALL_SFU_FROM: countOrOff,
  CALL_BACK_TO_MESH_AT: countOrOff,
  CALL_RECORDING: Env.schema.enum.optional(['initiator', 'anyone', 'off'] as const),
  RECORDING_RETENTION_DAYS: integerBetween(1, 3650),
  RECORDING_WORK_PATH: Env.schema.string.optional(),

  REDIS_URL: redisUrl,
  REDIS_HOST: Env.schema.string.optional({ format: 'host' }),
  REDIS_PORT: Env.schema.number.optional(),
  REDIS_PASSWORD: Env.schema.string.optional(),

  VOICE_MESSAGE_MAX_SECONDS: integerBetween(5, 3600),
  VIDEO_MESSAGE_MAX_SECONDS: integerBetween(5, 3600),
  VOICE_MESSAGE_MAX_BYTES: integerBetween(65_536, 1_073_741_824),
  VIDEO_MESSAGE_MAX_BYTES: integerBetween(65_536, 1_073_741_824),
  MEDIA_MESSAGES_PER_MINUTE: integerBetween(1, 10_000),

  DRIVE_DISK: Env.schema.enum.optional(['fs', 's3'] as const),
  MEDIA_STORAGE_PATH: Env.schema.string.optional(),
  S3_BUCKET: Env.schema.string.optional(),
  S3_REGION: Env.schema.string.optional(),
  S3_ENDPOINT: Env.schema.string.optional({ format: 'url', tld: false }),
  S3_FORCE_PATH_STYLE: Env.schema.boolean.optional(),
  S3_ACCESS_KEY_ID: Env.schema.string.optional(),
  S3_SECRET_ACCESS_KEY: Env.schema.string.optional(),

  SSE_MAX_STREAMS_PER_USER: integerBetween(1, 100),
  HEALTH_SECRET: Env.schema.secret.optional(),
  METRICS_TOKEN: metricsToken,
})
