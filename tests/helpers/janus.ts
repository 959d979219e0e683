import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { reachable } from '#tests/helpers/services'

export const JANUS = process.env.JANUS_PATH ?? '/usr/bin/janus'
const SYSTEM_CONFIG = '/etc/janus/janus.jcfg'

/**
 * The network namespace Janus runs in, joined to this machine by a veth pair. Janus ignores the
 * loopback interface (STACK.md): it offers other addresses and refuses 127.0.0.1 candidates, so
 * it gets an interface of its own, and the browsers of a test reach it through the pair.
 */
export class JanusNamespace {
  /**
   * JANUS_TEST_NET=N (1-9) gives a run a namespace, veth pair and subnet of its own
   * (10.203.N.0/24), so two checkouts can run their Janus tests at the same time; unset is slot 0.
   */
  static readonly SLOT = janusTestSlot()
  static readonly NAME = JanusNamespace.SLOT ? `confab-janus-${JanusNamespace.SLOT}` : 'confab-janus'
  static readonly HOST_SIDE = JanusNamespace.SLOT ? `cjanus${JanusNamespace.SLOT}h` : 'confab-janus0'
  static readonly JANUS_SIDE = JanusNamespace.SLOT ? `cjanus${JanusNamespace.SLOT}j` : 'confab-janus1'
  static readonly HOST_ADDRESS = `10.203.${JanusNamespace.SLOT}.1`
  static readonly JANUS_ADDRESS = `10.203.${JanusNamespace.SLOT}.2`

  /** What is missing to run Janus here (null when nothing is). */
  static missing(): string | null {
    if (!existsSync(JANUS)) return `no Janus at ${JANUS} (apt-get install -y janus janus-tools, or JANUS_PATH)`
    // Listing works for anyone; creating a namespace and a veth pair needs root.
    if (process.getuid?.() !== 0) return 'creating a network namespace needs root (run the tests as root, as CI does)'
    const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    if (probe.status !== 0) return `\`ip netns\` does not work here (${(probe.stderr || probe.error?.message || '').trim()})`
    return null
  }

  /**
   * Whether the Janus tests run: false with the reason printed, unless REQUIRE_JANUS=1 (set by
   * .ci/run), which turns a missing Janus into a failure.
   */
  static availableForTests() {
    const missing = JanusNamespace.missing()
    if (missing && process.env.REQUIRE_JANUS === '1') throw new Error(`Janus is required (REQUIRE_JANUS=1): ${missing}`)
    return { missing: missing !== null, reason: `Janus tests need Janus in a network namespace: ${missing}` }
  }

  /** Creates the namespace and the pair, after removing whatever a crashed run left behind. */
  create() {
    this.remove()
    const { NAME, HOST_SIDE, JANUS_SIDE, HOST_ADDRESS, JANUS_ADDRESS } = JanusNamespace
    ip('netns', 'add', NAME)
    ip('link', 'add', HOST_SIDE, 'type', 'veth', 'peer', 'name', JANUS_SIDE)
    ip('link', 'set', JANUS_SIDE, 'netns', NAME)
    ip('addr', 'add', `${HOST_ADDRESS}/24`, 'dev', HOST_SIDE)
    ip('link', 'set', HOST_SIDE, 'up')
    ip('-n', NAME, 'addr', 'add', `${JANUS_ADDRESS}/24`, 'dev', JANUS_SIDE)
    ip('-n', NAME, 'link', 'set', JANUS_SIDE, 'up')
    ip('-n', NAME, 'link', 'set', 'lo', 'up')
    ip('-n', NAME, 'route', 'add', 'default', 'via', HOST_ADDRESS)
    return this
  }

  /**
   * Kills what still runs inside the namespace (only ever our own Janus processes: nothing else
   * is started in it), deletes it and the host side of the pair. Safe when nothing exists.
   */
  remove() {
    const { NAME, HOST_SIDE } = JanusNamespace
    const pids = spawnSync('ip', ['netns', 'pids', NAME], { encoding: 'utf8' })
    for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    spawnSync('ip', ['netns', 'del', NAME])
    spawnSync('ip', ['link', 'del', HOST_SIDE])
  }
}

function janusTestSlot() {
  const slot = process.env.JANUS_TEST_NET ?? '0'
  if (!/^[0-9]$/.test(slot)) throw new Error(`JANUS_TEST_NET must be a digit 0-9, not ${slot}`)
  return Number(slot)
}

function ip(...args: string[]) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Folders of the Debian package (plugins, transports ...), read from its own janus.jcfg. */
function systemFolder(key: string, fallback: string) {
  const config = existsSync(SYSTEM_CONFIG) ? readFileSync(SYSTEM_CONFIG, 'utf8') : ''
  return config.match(new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, 'm'))?.[1] ?? fallback
}

/** Every library of a folder but the ones kept, as Janus's `disable` list wants them. */
function allBut(folder: string, keep: string[]) {
  if (!existsSync(folder)) return ''
  return readdirSync(folder)
    .filter((file) => file.endsWith('.so') && !keep.includes(file))
    .join(',')
}

export interface JanusOptions {
  /** WebSocket API port, on the namespace's address. */
  wsPort: number
  /** RTP/RTCP port range inside the namespace, e.g. '20000-20050'. */
  rtpPorts: string
  /** Janus's session timeout in seconds (a session without keepalive is destroyed after it). */
  sessionTimeout?: number
  /** Janus's api_secret; a random one by default. */
  apiSecret?: string
}

/**
 * One real Janus 1.x in the namespace, configured as docs/sfu.md describes: only the WebSocket
 * transport (the HTTP one, the admin API and the broker transports are off), an apisecret, the
 * VideoRoom plugin only, ICE on the namespace's interface. Stopped by PID.
 */
export class JanusServer {
  readonly apiSecret: string
  /** Milliseconds the last start took, from spawn to the WebSocket port accepting. */
  startMs = 0
  #child: ChildProcess | null = null
  #output = ''
  #dir: string

  constructor(
    tmpDir: string,
    readonly options: JanusOptions
  ) {
    this.#dir = resolve(tmpDir, `janus-${options.wsPort}`)
    this.apiSecret = options.apiSecret ?? randomBytes(16).toString('hex')
  }

  get url() {
    return `ws://${JanusNamespace.JANUS_ADDRESS}:${this.options.wsPort}`
  }

  get output() {
    return this.#output
  }

  get pid() {
    return this.#child?.pid ?? null
  }

  #writeConfig() {
    rmSync(this.#dir, { recursive: true, force: true })
    mkdirSync(this.#dir, { recursive: true })
    const plugins = systemFolder('plugins_folder', '/usr/lib/x86_64-linux-gnu/janus/plugins')
    const transports = systemFolder('transports_folder', '/usr/lib/x86_64-linux-gnu/janus/transports')
    const events = systemFolder('events_folder', '/usr/lib/x86_64-linux-gnu/janus/events')
    const loggers = systemFolder('loggers_folder', '/usr/lib/x86_64-linux-gnu/janus/loggers')
    const file = (name: string, body: string) => writeFileSync(join(this.#dir, name), body)
    file(
      'janus.jcfg',
      `general: {
  configs_folder = "${this.#dir}"
  plugins_folder = "${plugins}"
  transports_folder = "${transports}"
  events_folder = "${events}"
  loggers_folder = "${loggers}"
  debug_level = 4
  server_name = "confab-test-${this.options.wsPort}"
  api_secret = "${this.apiSecret}"
  admin_secret = "${randomBytes(16).toString('hex')}"
  session_timeout = ${this.options.sessionTimeout ?? 60}
}
media: {
  rtp_port_range = "${this.options.rtpPorts}"
}
nat: {
  nice_debug = false
  ice_enforce_list = "${JanusNamespace.JANUS_SIDE}"
}
plugins: {
  disable = "${allBut(plugins, ['libjanus_videoroom.so'])}"
}
transports: {
  disable = "${allBut(transports, ['libjanus_websockets.so'])}"
}
loggers: {
  disable = "${allBut(loggers, [])}"
}
events: {
  broadcast = false
  disable = "${allBut(events, [])}"
}
`
    )
    file(
      'janus.transport.websockets.jcfg',
      `general: {
  json = "compact"
  ws = true
  ws_port = ${this.options.wsPort}
  ws_ip = "${JanusNamespace.JANUS_ADDRESS}"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`
    )
    // No static rooms: Confab creates every room it uses, with its own secret.
    file('janus.plugin.videoroom.jcfg', 'general: {\n}\n')
  }

  /** Starts Janus inside the namespace and waits until its WebSocket API accepts connections. */
  async start() {
    if (!this.#child || this.#child.exitCode !== null) this.#writeConfig()
    this.#output = ''
    const started = Date.now()
    // `ip netns exec` execs Janus in place: the child's PID is Janus's own.
    const child = spawn('ip', ['netns', 'exec', JanusNamespace.NAME, JANUS, '-F', this.#dir, '-o'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    child.stdout!.on('data', (chunk) => (this.#output += chunk))
    child.stderr!.on('data', (chunk) => (this.#output += chunk))
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && child.exitCode === null) {
      if (await reachable(JanusNamespace.JANUS_ADDRESS, this.options.wsPort)) {
        this.startMs = Date.now() - started
        return this
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await this.stop()
    throw new Error(`Janus did not start. Its output:\n${this.#output.slice(-3000)}`)
  }

  /** Resolves true once this Janus has exited (by itself or killed), false after `ms`. */
  async exited(ms: number) {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) return true
    const exit = once(this.#child, 'exit').then(() => true)
    return Promise.race([exit, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))])
  }

  /** Ends Janus as a crash would (SIGKILL): no goodbye on its WebSockets. */
  async kill() {
    if (!this.#child || this.#child.exitCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.kill('SIGKILL')
    await exited
  }

  async stop() {
    if (!this.#child || this.#child.exitCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGKILL')
      await exited
    }
  }
}

/**
 * Janus servers for one test group: the namespace and each server started in the group's setup
 * (their start times logged), stopped and removed in its teardown. Nothing starts when Janus is
 * missing here (the group's tests are skipped then).
 */
export function janusForGroup(group: { setup: (fn: () => Promise<void>) => void; teardown: (fn: () => Promise<void>) => void }, servers: JanusServer[]) {
  const namespace = new JanusNamespace()
  group.setup(async () => {
    if (JanusNamespace.missing()) return
    namespace.create()
    for (const server of servers) {
      await server.start()
      console.log(`Janus ${server.url} started in ${server.startMs} ms`)
    }
  })
  group.teardown(async () => {
    for (const server of servers) await server.stop()
    namespace.remove()
  })
  return namespace
}
