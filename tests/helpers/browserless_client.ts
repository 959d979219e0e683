import { Arrivals } from '#tests/helpers/waiting'

/**
 * A cookie-keeping HTTP client built on fetch, for tests that need what the Japa API client
 * cannot give: a long-lived SSE stream, or several concurrent requests sharing one session. It
 * logs in through the real login route.
 */
export class BrowserlessClient {
  /** The cookie jar and clock, shared with the clients `at()` makes (one browser, several addresses). */
  #jar: { cookies: Map<string, string>; expiries: Map<string, number>; clockOffsetMs: number }

  /** `headers` ride along every request (e.g. a browser's User-Agent). */
  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
    jar = { cookies: new Map<string, string>(), expiries: new Map<string, number>(), clockOffsetMs: 0 }
  ) {
    this.#jar = jar
  }

  get #cookies() {
    return this.#jar.cookies
  }

  /** When each cookie expires (epoch ms on this client's clock), as Max-Age/Expires said. */
  get #expiries() {
    return this.#jar.expiries
  }

  /** How far this client's clock runs ahead of real time (see idle()). */
  get #clockOffsetMs() {
    return this.#jar.clockOffsetMs
  }

  /** The same browser (same cookies, so the same session) talking to another address. */
  at(baseUrl: string) {
    return new BrowserlessClient(baseUrl, this.headers, this.#jar)
  }

  /** When a cookie expires on this client's clock (undefined: a browser-session cookie). */
  cookieExpiry(name: string) {
    return this.#expiries.get(name)
  }

  /**
   * The tab sits idle for `ms`: this client's clock moves on and, as a browser does, it drops
   * the cookies that expired meanwhile. The server sees real time.
   */
  idle(ms: number) {
    this.#jar.clockOffsetMs += ms
    const now = Date.now() + this.#clockOffsetMs
    for (const [name, expiry] of this.#expiries) {
      if (expiry <= now) {
        this.#cookies.delete(name)
        this.#expiries.delete(name)
      }
    }
  }

  get cookieHeader() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** The XSRF token Shield hands out in a cookie, echoed back as a header by real clients. */
  get xsrfToken() {
    return decodeURIComponent(this.#cookies.get('XSRF-TOKEN') ?? '')
  }

  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers({ ...this.headers, ...Object.fromEntries(new Headers(init.headers)) })
    headers.set('cookie', this.cookieHeader)
    if (init.method && init.method !== 'GET') headers.set('x-xsrf-token', this.xsrfToken)
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';')
      const index = pair!.indexOf('=')
      const name = pair!.slice(0, index)
      this.#cookies.set(name, pair!.slice(index + 1))
      const expiry = this.#expiryOf(attributes)
      if (expiry === undefined) this.#expiries.delete(name)
      else this.#expiries.set(name, expiry)
    }
    return response
  }

  /** Max-Age wins over Expires (RFC 6265); both are read on this client's clock. */
  #expiryOf(attributes: string[]) {
    const now = Date.now() + this.#clockOffsetMs
    const values = new Map(
      attributes.map((attribute) => {
        const [key, ...rest] = attribute.trim().split('=')
        return [key!.toLowerCase(), rest.join('=')] as const
      })
    )
    if (values.has('max-age')) return now + Number(values.get('max-age')) * 1000
    if (values.has('expires')) return Date.parse(values.get('expires')!)
    return undefined
  }

  /**
   * Logs in through the real login route as a script would: Shield's XSRF-TOKEN cookie (handed
   * out with any response, here /health's) echoed in the X-XSRF-TOKEN header.
   */
  async login(email: string, password: string) {
    await this.fetch('/health')
    if (!this.xsrfToken) throw new Error('No XSRF-TOKEN cookie was handed out')
    const response = await this.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    })
    if (response.status !== 302 || response.headers.get('location') === '/login') {
      throw new Error(`Login as ${email} failed with status ${response.status}`)
    }
    return this
  }

  /** Opens Transmit's SSE stream and returns a reader of the events it delivers. */
  async openStream(uid: string = crypto.randomUUID()) {
    const { response, controller } = await this.requestStream(uid)
    if (response.status !== 200 || !response.body) {
      controller.abort()
      throw new Error(`The SSE stream answered ${response.status}`)
    }
    return new SseStream(this, uid, response.body, controller)
  }

  /** The raw answer to a stream request, for tests about refusals (abort it when it opened). */
  async requestStream(uid: string) {
    const controller = new AbortController()
    const response = await fetch(new URL(`/__transmit/events?uid=${uid}`, this.baseUrl), {
      headers: { cookie: this.cookieHeader, accept: 'text/event-stream' },
      signal: controller.signal,
    })
    return { response, controller }
  }
}

type Delivered = { channel: string; payload: any }

/** One open SSE stream: subscribe to channels and wait for the events they deliver. */
export class SseStream {
  #events = new Arrivals<Delivered>()
  /** Resolves when the stream has ended (closed by the server, or by close()). */
  readonly ended: Promise<void>

  constructor(
    private client: BrowserlessClient,
    readonly uid: string,
    body: ReadableStream<Uint8Array>,
    private controller: AbortController
  ) {
    this.ended = this.#read(body)
  }

  async #read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = body.getReader()
    try {
      while (true) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let boundary: number
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, boundary)
          buffer = buffer.slice(boundary + 2)
          const data = frame
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n')
          if (data) this.#events.push(JSON.parse(data))
        }
      }
    } catch {
      // Aborted by close().
    }
    this.#events.end()
  }

  /** Subscribes this stream to `channel`, through `via` (the same session on another instance) if given. */
  subscribe(channel: string, via: BrowserlessClient = this.client) {
    return via.fetch('/__transmit/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ uid: this.uid, channel }),
    })
  }

  unsubscribe(channel: string, via: BrowserlessClient = this.client) {
    return via.fetch('/__transmit/unsubscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ uid: this.uid, channel }),
    })
  }


  /** Every event delivered so far on `channel`. */
  received(channel: string) {
    return this.#events.items.filter((event) => event.channel === channel).map((event) => event.payload)
  }

  /** Waits until an event on `channel` matches, or fails after `timeoutMs`. */
  async waitFor(channel: string, match: (payload: any) => boolean = () => true, timeoutMs = 3000) {
    const event = await this.#events.waitFor(
      (candidate) => candidate.channel === channel && match(candidate.payload),
      timeoutMs,
      () => `No matching event on ${channel} within ${timeoutMs} ms`
    )
    return event.payload
  }

  close() {
    this.controller.abort()
  }
}
