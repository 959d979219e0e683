/*
| Load generator for the ring and fan-out benchmarks, forked by LoadProcess so it never shares an
| event loop with the server it measures. It holds thousands of SSE streams (to Confab's Transmit
| routes with real sessions, or to the bare SSE baseline), triggers events the way a person does
| (Confab: the real start-call and post-message routes; bare: its /broadcast trigger), and times,
| on its own clock, the request's send to the LAST expected subscriber's arrival.
|
| The same stream reader and the same matching code serve both servers, so the only difference
| between the two figures is the server.
*/
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { serveCommands } from '../lib/load_process.js'

type Target = 'confab' | 'bare'
type HttpAnswer = { status: number; body: string }

/**
 * A browser-like client of one server: keeps its cookies (the minted session, then what the
 * server sets, Shield's XSRF-TOKEN included) and one keep-alive connection pool.
 */
class HttpSession {
  #cookies = new Map<string, string>()
  readonly agent: http.Agent

  constructor(readonly baseUrl: string, cookie = '', maxSockets = 1) {
    for (const pair of cookie.split('; ').filter(Boolean)) this.#setCookie(pair)
    this.agent = new http.Agent({ keepAlive: true, maxSockets })
  }

  get cookieHeader() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** Shield's XSRF-TOKEN cookie, which a page's scripts echo in the X-XSRF-TOKEN header. */
  get xsrfToken() {
    return decodeURIComponent(this.#cookies.get('XSRF-TOKEN') ?? '')
  }

  /** What a page load does before any script runs: receive the XSRF-TOKEN cookie. */
  async handshake() {
    const answer = await this.request('GET', '/up')
    if (answer.status !== 200 || !this.xsrfToken) throw new Error(`handshake: /up answered ${answer.status} without an XSRF-TOKEN cookie`)
  }

  request(method: string, path: string, json?: unknown): Promise<HttpAnswer> {
    const body = json === undefined ? undefined : JSON.stringify(json)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.#cookies.size) headers.cookie = this.cookieHeader
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (method !== 'GET' && this.xsrfToken) headers['x-xsrf-token'] = this.xsrfToken
    return new Promise((resolve, reject) => {
      const request = http.request(new URL(path, this.baseUrl), { method, headers, agent: this.agent }, (response) => {
        for (const cookie of response.headers['set-cookie'] ?? []) this.#setCookie(cookie.split(';')[0])
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body: text }))
        response.on('error', reject)
      })
      request.on('error', reject)
      request.end(body)
    })
  }

  close() {
    this.agent.destroy()
  }

  #setCookie(pair: string) {
    const index = pair.indexOf('=')
    this.#cookies.set(pair.slice(0, index), pair.slice(index + 1))
  }
}

type Listener = (event: string, at: number) => void

/**
 * One open SSE stream on its own TCP connection. It stays idle (costs nothing here) until armed
 * with a listener, which then sees each complete event with the time its last byte arrived.
 */
class SseConnection {
  listener?: Listener
  /** Transmit's keep-alive pings received, and whether the server ended the stream (soak). */
  pings = 0
  ended = false
  #buffer = ''
  #request?: http.ClientRequest

  /** Opens `url` and resolves once the server sent the stream's first bytes (`:ok`). */
  open(url: URL, headers: Record<string, string>) {
    return new Promise<void>((resolve, reject) => {
      this.#request = http.get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
        if (response.statusCode !== 200) {
          response.resume()
          return reject(new Error(`SSE stream ${url.pathname} answered ${response.statusCode}`))
        }
        response.setEncoding('utf8')
        response.once('data', () => resolve())
        response.on('data', (chunk: string) => this.#receive(chunk, performance.now()))
        response.on('error', () => {})
        response.on('close', () => (this.ended = true))
      })
      this.#request.on('error', reject)
    })
  }

  #receive(chunk: string, at: number) {
    this.#buffer += chunk
    let boundary: number
    while ((boundary = this.#buffer.indexOf('\n\n')) >= 0) {
      const event = this.#buffer.slice(0, boundary)
      this.#buffer = this.#buffer.slice(boundary + 2)
      if (event.includes('"$$transmit/ping"')) this.pings++
      this.listener?.(event, at)
    }
  }

  close() {
    this.#request?.destroy()
  }
}

/** `data: {...}` lines of one event, joined and parsed: Transmit's `{channel, payload}`. */
function parseEvent(event: string): { channel: string; payload: any } {
  const data = event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n')
  return JSON.parse(data)
}

type StreamSpec = { key: string; channels: string[]; cookie?: string }

/** Every open stream, by server and key (the benchmark names them, e.g. `user:42`). */
const streams: Record<Target, Map<string, SseConnection>> = { confab: new Map(), bare: new Map() }
const sessions = new Map<string, HttpSession>()

/**
 * Opens Confab streams as Confab's pages do: the page's cookies (handshake), then
 * `GET /__transmit/events?uid=`, then one `POST /__transmit/subscribe` per channel.
 */
async function openConfabStream(baseUrl: string, spec: StreamSpec) {
  const session = new HttpSession(baseUrl, spec.cookie)
  await session.handshake()
  const uid = crypto.randomUUID()
  const connection = new SseConnection()
  await connection.open(new URL(`/__transmit/events?uid=${uid}`, baseUrl), { cookie: session.cookieHeader })
  for (const channel of spec.channels) {
    const answer = await session.request('POST', '/__transmit/subscribe', { uid, channel })
    if (answer.status !== 204) throw new Error(`subscribe to ${channel} answered ${answer.status}: ${answer.body.slice(0, 200)}`)
  }
  session.close()
  return connection
}

async function openBareStream(baseUrl: string, spec: StreamSpec) {
  const connection = new SseConnection()
  const query = spec.channels.map((channel) => `channel=${encodeURIComponent(channel)}`).join('&')
  await connection.open(new URL(`/events?${query}`, baseUrl), {})
  return connection
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

/**
 * Arms `connections` and resolves with each one's first event that `matches`, or rejects after
 * `timeoutMs` naming how many never arrived.
 */
function firstArrivals(connections: SseConnection[], matches: (event: string) => boolean, timeoutMs: number) {
  const arrivals = new Map<SseConnection, { at: number; event: string }>()
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  for (const connection of connections) {
    connection.listener = (event, at) => {
      if (arrivals.has(connection) || !matches(event)) return
      arrivals.set(connection, { at, event })
      if (arrivals.size === connections.length) finish()
    }
  }
  const disarm = () => {
    for (const connection of connections) connection.listener = undefined
  }
  return {
    arrivals,
    async wait() {
      const timer = setTimeout(finish, timeoutMs)
      await done
      clearTimeout(timer)
      disarm()
      if (arrivals.size < connections.length) {
        throw new Error(`${connections.length - arrivals.size} of ${connections.length} subscribers got nothing within ${timeoutMs} ms`)
      }
      return arrivals
    },
    disarm,
  }
}

/** The time from `sentAt` to the last arrival, in ms. */
function lastArrival(arrivals: Map<SseConnection, { at: number }>, sentAt: number) {
  let last = 0
  for (const { at } of arrivals.values()) last = Math.max(last, at)
  return last - sentAt
}

/** The time from `sentAt` to the first arrival, in ms. */
function firstArrival(arrivals: Map<SseConnection, { at: number }>, sentAt: number) {
  let first = Infinity
  for (const { at } of arrivals.values()) first = Math.min(first, at)
  return first - sentAt
}

function connectionsFor(target: Target, keys: string[]) {
  return keys.map((key) => {
    const connection = streams[target].get(key)
    if (!connection) throw new Error(`no ${target} stream ${key}`)
    return connection
  })
}

/** Paces rounds: each starts at least `intervalMs` after the previous one started. */
async function paced(rounds: number, intervalMs: number, round: (index: number) => Promise<void>) {
  for (let index = 0; index < rounds; index++) {
    const startedAt = performance.now()
    await round(index)
    const rest = intervalMs - (performance.now() - startedAt)
    if (rest > 0) await sleep(rest)
  }
}

type RingChannel = { channelId: number; inviteeKeys: string[]; inviteeChannels: string[] }
type RingPlan = {
  confabSession: string
  bareUrl: string
  channels: RingChannel[]
  rounds: number
  warmupRounds: number
  intervalMs: number
}

/**
 * One Confab call: alice's real start-call request, then the 9 invitees' `call.ringing`; the
 * call is ended (as alice) once measured, so the channel is free for its next round.
 */
async function confabRing(session: HttpSession, channel: RingChannel) {
  const watch = firstArrivals(connectionsFor('confab', channel.inviteeKeys), (event) => event.includes('"type":"call.ringing"'), 5000)
  const sentAt = performance.now()
  const answer = await session.request('POST', `/channels/${channel.channelId}/calls`, { kind: 'audio' })
  const answeredIn = performance.now() - sentAt
  if (answer.status !== 201) {
    watch.disarm()
    throw new Error(`start call answered ${answer.status}: ${answer.body.slice(0, 300)}`)
  }
  const callId = JSON.parse(answer.body).call.id
  const arrivals = await watch.wait()
  const latency = lastArrival(arrivals, sentAt)
  const first = firstArrival(arrivals, sentAt)
  const sample = parseEvent([...arrivals.values()][0].event)
  for (const { event } of arrivals.values()) {
    if (parseEvent(event).payload.callId !== callId) throw new Error(`a ring for another call than ${callId} arrived`)
  }
  const ended = await session.request('POST', `/calls/${callId}/end`)
  if (ended.status !== 200) throw new Error(`ending call ${callId} answered ${ended.status}`)
  return { latency, first, answeredIn, payload: sample.payload }
}

/** The bare floor: the trigger request, then the same 9 subscribers' event (same payload size). */
async function bareRing(baseUrl: string, trigger: HttpSession, channel: RingChannel, payload: unknown) {
  const watch = firstArrivals(connectionsFor('bare', channel.inviteeKeys), (event) => event.includes('"type":"call.ringing"'), 5000)
  const sentAt = performance.now()
  const answer = await trigger.request('POST', new URL('/broadcast', baseUrl).href, { channels: channel.inviteeChannels, payload })
  if (answer.status !== 200) throw new Error(`bare broadcast answered ${answer.status}`)
  return lastArrival(await watch.wait(), sentAt)
}

type FanoutPlan = {
  confabSession: string
  /** Without one, only Confab's rounds run (the soak's trickle of posts). */
  bareUrl?: string
  channelId: number
  memberKeys: string[]
  rounds: number
  warmupRounds: number
  intervalMs: number
}

let fanoutSequence = 0

/** A real message post; the unique body lets every member recognise this very message. */
async function confabFanout(session: HttpSession, plan: FanoutPlan) {
  const token = `fanout-${process.pid}-${++fanoutSequence}`
  const watch = firstArrivals(connectionsFor('confab', plan.memberKeys), (event) => event.includes(token), 10_000)
  const sentAt = performance.now()
  const answer = await session.request('POST', `/channels/${plan.channelId}/messages`, { body: `Benchmark ${token}` })
  const answeredIn = performance.now() - sentAt
  if (answer.status !== 201) {
    watch.disarm()
    throw new Error(`post message answered ${answer.status}: ${answer.body.slice(0, 300)}`)
  }
  const arrivals = await watch.wait()
  const sample = parseEvent([...arrivals.values()][0].event)
  return { latency: lastArrival(arrivals, sentAt), answeredIn, payload: sample.payload, token }
}

/** The bare broadcaster writing Confab's own last payload (new token, same size) to as many. */
async function bareFanout(baseUrl: string, trigger: HttpSession, plan: FanoutPlan, sample: { payload: any; token: string }) {
  const token = `fanout-${process.pid}-${++fanoutSequence}`
  const payload = JSON.parse(JSON.stringify(sample.payload).replaceAll(sample.token, token))
  const watch = firstArrivals(connectionsFor('bare', plan.memberKeys), (event) => event.includes(token), 10_000)
  const sentAt = performance.now()
  const answer = await trigger.request('POST', new URL('/broadcast', baseUrl).href, { channels: [`channels/${plan.channelId}`], payload })
  if (answer.status !== 200) throw new Error(`bare broadcast answered ${answer.status}`)
  return lastArrival(await watch.wait(), sentAt)
}

function session(name: string) {
  const found = sessions.get(name)
  if (!found) throw new Error(`no session ${name}`)
  return found
}

serveCommands({
  /** Opens streams to one server; Confab streams are opened with `concurrency` pages at once. */
  async open({ target, baseUrl, specs, concurrency }: { target: Target; baseUrl: string; specs: StreamSpec[]; concurrency: number }) {
    const startedAt = performance.now()
    await pool(specs, concurrency, async (spec) => {
      const connection = target === 'confab' ? await openConfabStream(baseUrl, spec) : await openBareStream(baseUrl, spec)
      streams[target].set(spec.key, connection)
    })
    return { opened: specs.length, seconds: (performance.now() - startedAt) / 1000 }
  },

  /** A signed-in person's page (cookies + XSRF token) that then makes requests. */
  async session({ name, baseUrl, cookie }: { name: string; baseUrl: string; cookie: string }) {
    const created = new HttpSession(baseUrl, cookie)
    await created.handshake()
    sessions.set(name, created)
    return { name }
  },

  /**
   * Rounds of Confab ring then bare ring, interleaved so both see the same machine noise. The
   * bare server sends the payload of Confab's last ring (its size is what matters).
   */
  async ring(plan: RingPlan) {
    const alice = session(plan.confabSession)
    const trigger = new HttpSession(plan.bareUrl)
    const confab: number[] = []
    const confabAnswers: number[] = []
    const confabFirsts: number[] = []
    const bare: number[] = []
    let payload: any
    let bareCallId = 0
    await paced(plan.warmupRounds + plan.rounds, plan.intervalMs, async (index) => {
      const channel = plan.channels[index % plan.channels.length]
      const rang = await confabRing(alice, channel)
      payload = rang.payload
      const bareLatency = await bareRing(plan.bareUrl, trigger, channel, { ...payload, callId: --bareCallId })
      if (index < plan.warmupRounds) return
      confab.push(rang.latency)
      confabAnswers.push(rang.answeredIn)
      confabFirsts.push(rang.first)
      bare.push(bareLatency)
    })
    trigger.close()
    return { confab, confabFirsts, confabAnswers, bare, payloadBytes: JSON.stringify(payload).length }
  },

  /** Rounds of a Confab message post then a bare broadcast of the same size, interleaved. */
  async fanout(plan: FanoutPlan) {
    const poster = session(plan.confabSession)
    const trigger = plan.bareUrl ? new HttpSession(plan.bareUrl) : null
    const confab: number[] = []
    const confabAnswers: number[] = []
    const bare: number[] = []
    let sample!: { payload: any; token: string }
    await paced(plan.warmupRounds + plan.rounds, plan.intervalMs, async (index) => {
      const posted = await confabFanout(poster, plan)
      sample = posted
      const bareLatency = trigger ? await bareFanout(plan.bareUrl!, trigger, plan, sample) : null
      if (index < plan.warmupRounds) return
      confab.push(posted.latency)
      confabAnswers.push(posted.answeredIn)
      if (bareLatency !== null) bare.push(bareLatency)
    })
    trigger?.close()
    return { confab, confabAnswers, bare, payloadBytes: JSON.stringify(sample.payload).length }
  },

  /** Closes these streams, as closing the tabs would. */
  async close({ target, keys }: { target: Target; keys: string[] }) {
    for (const key of keys) {
      streams[target].get(key)?.close()
      streams[target].delete(key)
    }
    return { closed: keys.length }
  },

  /** How the open streams of one server are doing: ended by the server, and pings received. */
  health({ target }: { target: Target }) {
    const connections = [...streams[target].values()]
    return {
      streams: connections.length,
      ended: connections.filter((connection) => connection.ended).length,
      withoutPing: connections.filter((connection) => connection.pings === 0).length,
      fewestPings: Math.min(...connections.map((connection) => connection.pings)),
    }
  },

  async closeAll() {
    for (const target of ['confab', 'bare'] as const) {
      for (const connection of streams[target].values()) connection.close()
      streams[target].clear()
    }
    for (const open of sessions.values()) open.close()
    sessions.clear()
    return {}
  },
})
