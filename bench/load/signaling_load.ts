/*
| Load generator of the signaling benchmark, in its own process (driven by
| bench/benchmarks/signaling.ts over IPC). It plays every participant of R four-person calls
| against one relay (Confab, the bare `ws` relay or the socket.io relay) and measures one-way
| latency itself: the send time travels inside each signal (see signaling_frames.ts), and is
| read back when the frame arrives at the other participant's socket, in this same process.
|
| Commands:
|   connect {target, calls, concurrency}  opens the sockets of these calls, waits for `welcome`
|   run {mode: 'rate', rate, ...}         open loop: `rate` frames/s spread over every socket
|   run {mode: 'closed', window, ...}     closed loop: each socket keeps `window` frames in flight
|   close                                 closes every socket
*/
import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import WebSocket from 'ws'
import { io } from 'socket.io-client'
import { serveCommands } from '../lib/load_process.js'
import { summarize } from '../lib/stats.js'
import { candidateTemplate, participantScript, sdpTemplate, sentAtOf, type Step } from './signaling_frames.js'

export type RelayKind = 'confab' | 'ws' | 'socketio'
export type Target = { kind: RelayKind; url: string }
export type CallSeed = { callId: number; members: { userId: number; cookie?: string }[] }
/** `firstRound: false` adds this run to the previous ones: the result covers them all. */
export type RunOptions = ({ mode: 'rate'; rate: number } | { mode: 'closed'; window: number }) & { warmupMs: number; measureMs: number; firstRound: boolean }

/** A participant's open socket, whatever the relay. */
type Link = { send(frame: Record<string, unknown>): void; close(): void }
type Handlers = { onFrame(frame: any): void; onClose(code: number): void }

const WELCOME_TIMEOUT_MS = 20_000

/** Opens a socket and resolves once the relay's `welcome` arrived. */
function connectLink(target: Target, callId: number, userId: number, cookie: string | undefined, handlers: Handlers): Promise<Link> {
  const peer = randomUUID()
  if (target.kind === 'socketio') return connectSocketIo(target.url, callId, userId, peer, handlers)
  const wsUrl = target.url.replace(/^http/, 'ws')
  // Confab knows the person from the session cookie; the bare relay is told in the query.
  const url = target.kind === 'confab' ? `${wsUrl}/calls/${callId}/signal?peer=${peer}` : `${wsUrl}/calls/${callId}/signal?peer=${peer}&user=${userId}`
  const headers = target.kind === 'confab' ? { Cookie: cookie!, Origin: target.url } : {}
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false })
    let welcomed = false
    const timer = setTimeout(() => fail(new Error('no welcome in time')), WELCOME_TIMEOUT_MS)
    const fail = (error: Error) => {
      clearTimeout(timer)
      if (!welcomed) reject(error)
      ws.terminate()
    }
    ws.on('error', fail)
    ws.on('unexpected-response', (_request, response) => fail(new Error(`upgrade answered ${response.statusCode}`)))
    ws.on('close', (code) => {
      if (!welcomed) return fail(new Error(`closed with ${code} before welcome`))
      handlers.onClose(code)
    })
    ws.on('message', (data) => {
      // Every frame is parsed, as the browser's SignalingClient does.
      const frame = JSON.parse(data.toString())
      if (welcomed) return handlers.onFrame(frame)
      if (frame.type !== 'welcome') return
      welcomed = true
      clearTimeout(timer)
      resolve({ send: (message) => ws.send(JSON.stringify(message)), close: () => ws.close() })
    })
  })
}

function connectSocketIo(url: string, callId: number, userId: number, peer: string, handlers: Handlers): Promise<Link> {
  return new Promise((resolve, reject) => {
    // forceNew: one WebSocket per participant, as separate browsers would have (no multiplexing).
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, query: { call: String(callId), user: String(userId), peer } })
    const timer = setTimeout(() => {
      socket.close()
      reject(new Error('no welcome in time'))
    }, WELCOME_TIMEOUT_MS)
    socket.on('connect_error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.once('welcome', () => {
      clearTimeout(timer)
      socket.on('signal', handlers.onFrame)
      socket.on('media', handlers.onFrame)
      socket.on('disconnect', () => handlers.onClose(1006))
      resolve({ send: (message) => socket.emit(message.type as string, message), close: () => socket.close() })
    })
  })
}

/** One participant: its script of frames, what it has in flight, and what it has received. */
class Participant {
  link: Link | null = null
  #step = 0
  #steps: Step[]
  #sdp: Record<'offer' | 'answer', { head: string; tail: string }>
  #candidates: ReturnType<typeof candidateTemplate>[]
  #audio = true
  /** Frames sent and not yet delivered (closed loop). */
  inFlight = 0
  /** Send times (ms) of this participant's `media` frames, by sequence number. */
  mediaSentAt: number[] = []
  /** Deliveries still awaited per `media` frame, by sequence number. */
  mediaPending: number[] = []
  /** `media` frames received from each other member, to match them to their send times. */
  mediaSeen = new Map<number, number>()

  constructor(
    readonly userId: number,
    readonly call: CallState,
    index: number
  ) {
    this.#steps = participantScript(index, call.memberIds)
    // 4-6 KB SDP: Chrome's list of video codecs varies with the machine.
    const codecs = 6 + (userId % 7)
    this.#sdp = { offer: sdpTemplate('offer', codecs, userId), answer: sdpTemplate('answer', codecs, userId) }
    this.#candidates = Array.from({ length: 5 }, (_, i) => candidateTemplate(i, userId))
  }

  /** The next frame of the script, stamped with the time now. */
  nextFrame(now: number): Record<string, unknown> {
    const step = this.#steps[this.#step]
    this.#step = (this.#step + 1) % this.#steps.length
    const stamp = Math.round(now * 1000)
    if (step.kind === 'description') {
      const sdp = this.#sdp[step.sdpType]
      return { type: 'signal', to: step.to, data: { description: { type: step.sdpType, sdp: sdp.head + stamp + sdp.tail } } }
    }
    if (step.kind === 'candidate') {
      const c = this.#candidates[step.index]
      return { type: 'signal', to: step.to, data: { candidate: { candidate: c.head + stamp + c.tail, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment } } }
    }
    this.#audio = !this.#audio
    return { type: 'media', audio: this.#audio, video: true, screen: false }
  }
}

type CallState = { callId: number; memberIds: number[]; participants: Participant[] }

/** Counters of one measured phase. */
class Phase {
  samples = new Float64Array(1 << 16)
  sampleCount = 0
  sentInWindow = 0
  deliveredInWindow = 0
  expected = 0
  received = 0
  lost = 0
  errors = new Map<string, number>()

  constructor(
    readonly measureFrom: number,
    readonly measureTo: number
  ) {}

  record(sentAt: number, now: number) {
    this.received++
    if (now >= this.measureFrom && now < this.measureTo) this.deliveredInWindow++
    if (sentAt < this.measureFrom || sentAt >= this.measureTo) return
    if (this.sampleCount === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2)
      bigger.set(this.samples)
      this.samples = bigger
    }
    this.samples[this.sampleCount++] = now - sentAt
  }
}

class SignalingLoad {
  #target!: Target
  #calls: CallState[] = []
  #byUser = new Map<number, Participant>()
  #connected: Participant[] = []
  #phase: Phase | null = null
  #window = 0
  #pumping = false
  #rounds: { phases: Phase[]; measuredMs: number; loopDelayP99Ms: number } | null = null
  closes = new Map<number, number>()

  async connect({ target, calls, concurrency }: { target: Target; calls: CallSeed[]; concurrency: number }) {
    this.#target = target
    const started = performance.now()
    const queue: Array<{ participant: Participant; cookie?: string }> = []
    for (const seed of calls) {
      const call: CallState = { callId: seed.callId, memberIds: seed.members.map((member) => member.userId), participants: [] }
      seed.members.forEach((member, index) => {
        const participant = new Participant(member.userId, call, index)
        call.participants.push(participant)
        this.#byUser.set(member.userId, participant)
        queue.push({ participant, cookie: member.cookie })
      })
      this.#calls.push(call)
    }
    const failures: string[] = []
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { participant, cookie } = next
        try {
          participant.link = await connectLink(this.#target, participant.call.callId, participant.userId, cookie, {
            onFrame: (frame) => this.#received(participant, frame),
            onClose: (code) => this.#closed(participant, code),
          })
          this.#connected.push(participant)
        } catch (error: any) {
          failures.push(String(error?.message ?? error))
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return { connected: this.#connected.length, failed: failures.length, firstFailures: [...new Set(failures)].slice(0, 3), seconds: (performance.now() - started) / 1000 }
  }

  /** Runs one round of a phase; the result covers every round since the last `firstRound`. */
  async run(options: RunOptions) {
    const start = performance.now()
    const phase = new Phase(start + options.warmupMs, start + options.warmupMs + options.measureMs)
    this.#phase = phase
    const loopDelay = monitorEventLoopDelay({ resolution: 5 })
    loopDelay.enable()
    if (options.mode === 'rate') await this.#openLoop(options.rate, phase)
    else await this.#closedLoop(options.window, phase)
    loopDelay.disable()
    phase.lost = await this.#drain(phase)
    this.#phase = null
    if (options.firstRound) this.#rounds = { phases: [], measuredMs: 0, loopDelayP99Ms: 0 }
    this.#rounds!.phases.push(phase)
    this.#rounds!.measuredMs += options.measureMs
    this.#rounds!.loopDelayP99Ms = Math.max(this.#rounds!.loopDelayP99Ms, loopDelay.percentile(99) / 1e6)
    return this.#roundsResult()
  }

  #roundsResult() {
    const { phases, measuredMs, loopDelayP99Ms } = this.#rounds!
    const seconds = measuredMs / 1000
    const samples = new Float64Array(phases.reduce((sum, phase) => sum + phase.sampleCount, 0))
    let offset = 0
    const errors = new Map<string, number>()
    for (const phase of phases) {
      samples.set(phase.samples.subarray(0, phase.sampleCount), offset)
      offset += phase.sampleCount
      for (const [code, count] of phase.errors) errors.set(code, (errors.get(code) ?? 0) + count)
    }
    const sum = (count: (phase: Phase) => number) => phases.reduce((total, phase) => total + count(phase), 0)
    return {
      sockets: this.#connected.length,
      sentPerSecond: Math.round(sum((phase) => phase.sentInWindow) / seconds),
      deliveredPerSecond: Math.round(sum((phase) => phase.deliveredInWindow) / seconds),
      latency: summarize(samples),
      lost: sum((phase) => phase.lost),
      errors: Object.fromEntries(errors),
      closes: Object.fromEntries(this.closes),
      loadEventLoopP99Ms: Math.round(loopDelayP99Ms * 100) / 100,
    }
  }

  async close() {
    for (const participant of this.#connected) participant.link?.close()
    await new Promise((resolve) => setTimeout(resolve, 500))
    return { closed: this.#connected.length }
  }

  /** Open loop: frames leave on a schedule, whatever the relay's pace; sockets take turns. */
  async #openLoop(rate: number, phase: Phase) {
    const start = performance.now()
    let sent = 0
    let turn = 0
    const sockets = this.#connected
    while (performance.now() < phase.measureTo) {
      const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent
      // A late tick catches up by at most 50 ms worth of frames, never with one giant burst.
      for (let i = 0; i < Math.min(due, Math.ceil(rate / 20)); i++) {
        this.#send(sockets[turn++ % sockets.length], phase)
        sent++
      }
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }

  /** Closed loop: each socket sends its next frame as soon as one of its frames is delivered. */
  async #closedLoop(window: number, phase: Phase) {
    this.#window = window
    this.#pumping = true
    for (const participant of this.#connected) participant.inFlight = 0
    for (const participant of this.#connected) this.#pump(participant)
    await new Promise((resolve) => setTimeout(resolve, phase.measureTo - performance.now()))
    this.#pumping = false
  }

  #pump(participant: Participant) {
    while (this.#pumping && participant.inFlight < this.#window && participant.link) this.#send(participant, this.#phase!)
  }

  #send(participant: Participant, phase: Phase) {
    const now = performance.now()
    const frame = participant.nextFrame(now)
    if (frame.type === 'media') {
      const others = participant.call.participants.filter((other) => other !== participant && other.link).length
      participant.mediaSentAt.push(now)
      participant.mediaPending.push(others)
      phase.expected += others
      if (others === 0) return
    } else {
      if (!this.#byUser.get(frame.to as number)?.link) return
      phase.expected++
    }
    participant.inFlight++
    if (now >= phase.measureFrom && now < phase.measureTo) phase.sentInWindow++
    participant.link!.send(frame)
  }

  #received(receiver: Participant, frame: any) {
    const now = performance.now()
    const phase = this.#phase
    if (frame.type === 'signal') {
      phase?.record(sentAtOf(frame.data) / 1000, now)
      this.#delivered(this.#byUser.get(frame.from))
    } else if (frame.type === 'media') {
      // A relay keeps each sender's frames in order, so the n-th media frame this socket gets
      // from someone is the n-th that person sent.
      const sender = this.#byUser.get(frame.userId)
      if (!sender) return
      const sequence = receiver.mediaSeen.get(sender.userId) ?? 0
      receiver.mediaSeen.set(sender.userId, sequence + 1)
      phase?.record(sender.mediaSentAt[sequence], now)
      if (--sender.mediaPending[sequence] === 0) this.#delivered(sender)
    } else if (frame.type === 'error') {
      if (phase) phase.errors.set(frame.code, (phase.errors.get(frame.code) ?? 0) + 1)
      this.#delivered(receiver)
    }
  }

  #delivered(sender: Participant | undefined) {
    if (!sender) return
    sender.inFlight--
    if (this.#pumping) this.#pump(sender)
  }

  #closed(participant: Participant, code: number) {
    participant.link = null
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1)
    this.#connected = this.#connected.filter((other) => other !== participant)
  }

  /** Waits (5 s at most) for the frames still on their way; returns how many never came. */
  async #drain(phase: Phase) {
    const deadline = performance.now() + 5_000
    while (phase.received < phase.expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return phase.expected - phase.received
  }
}

const load = new SignalingLoad()
serveCommands({
  connect: (payload) => load.connect(payload),
  run: (payload) => load.run(payload),
  close: () => load.close(),
})
