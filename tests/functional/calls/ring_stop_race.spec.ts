import { test } from '@japa/runner'
import { BrowserlessClient, type SseStream } from '#tests/helpers/browserless_client'
import { TEST_PASSWORD } from '#database/factories/user_factory'
import { channelWith, people, withCleanDatabase, type User } from '#tests/helpers/world'
import { RingInbox, type RingEvent } from '../../../resources/js/calls/ring_inbox.js'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Calls per run: 7 rounds of the 6 ways a ring ends; the starts rotate over 7 people (CALL_STARTS_PER_MINUTE is 10 each). */
const ITERATIONS = 42

/** The events that close the incoming-call modal (RingInbox.apply). */
const STOPS = new Set(['call.ring_stopped', 'call.missed', 'call.ended'])

type Person = { user: User; browser: BrowserlessClient; stream: SseStream }

async function tabOf(user: User, cleanup: (fn: () => void) => void): Promise<Person> {
  const browser = await new BrowserlessClient(baseUrl()).login(user.email, TEST_PASSWORD)
  const stream = await browser.openStream()
  cleanup(() => stream.close())
  const subscribed = await stream.subscribe(`users/${user.id}`)
  if (subscribed.status !== 204) throw new Error(`Subscribing to users/${user.id} answered ${subscribed.status}`)
  return { user, browser, stream }
}

function post(person: Person, path: string, body: unknown = {}, method = 'POST') {
  return person.browser.fetch(path, {
    method,
    headers: { 'content-type': 'application/json', 'accept': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** What each person's own channel carried about one call, in arrival order. */
function eventsAbout(person: Person, callId: number): RingEvent[] {
  return person.stream.received(`users/${person.user.id}`).filter((event) => event.callId === callId)
}

/** One call of the loop: who started it, who rang, and the start's answer still on its way. */
type Round = { caller: Person; invitees: Person[]; started: Promise<Response>; callId: number; rival?: Promise<Response> }

/**
 * The ways a ring ends, each racing the start where it can: the call id is taken from the first
 * ring to arrive, so the end is on its way while the start request (and its notifier) still
 * runs. Each returns who ended up as the call's initiator (the others were rung).
 */
const endings: Record<string, (round: Round) => Promise<Person>> = {
  async 'ended after the start answered'({ caller, started }) {
    const callId = (await (await started).json()).call.id
    await post(caller, `/calls/${callId}/end`)
    return caller
  },
  async 'ended on the first ring'({ caller, callId }) {
    await post(caller, `/calls/${callId}/end`)
    return caller
  },
  async 'cancelled on the first ring'({ caller, callId }) {
    await post(caller, `/calls/${callId}/participation`, {}, 'DELETE')
    return caller
  },
  async 'one accepts, then the call ends'({ caller, invitees, callId }) {
    await post(invitees[0]!, `/calls/${callId}/participation`)
    await post(caller, `/calls/${callId}/end`)
    return caller
  },
  async 'everyone declines while it ends'({ caller, invitees, callId }) {
    await Promise.all([
      ...invitees.map((invitee) => post(invitee, `/calls/${callId}/decline`)),
      post(caller, `/calls/${callId}/end`),
    ])
    return caller
  },
  async 'two start at once: one creates it, the other joins'({ caller, invitees, started, rival }) {
    // Both clicked Start together: the second start finds the live call (or loses the race on
    // its unique index) and joins it, which stops that person's ring while the first start's
    // notifier may still be at work. Whoever created the call ends it.
    const answers = await Promise.all([started, rival!].map(async (answer) => (await answer).clone().json()))
    const initiator = answers[0].joinedExisting ? invitees[1]! : caller
    await post(initiator, `/calls/${answers[0].call.id}/end`)
    return initiator
  },
}

/** Waits for the first `call.ringing` on any of the invitees' streams and returns its call id. */
async function firstRing(invitees: Person[], after: Set<number>) {
  const isNewRing = (event: any) => event.type === 'call.ringing' && !after.has(event.callId)
  const ring = await Promise.any(invitees.map((person) => person.stream.waitFor(`users/${person.user.id}`, isNewRing, 5000)))
  return ring.callId as number
}

/** Why this invitee's modal would be wrong after the call ended, or null when it is right. */
function verdict(events: RingEvent[]) {
  const types = events.map((event) => event.type)
  const ring = types.indexOf('call.ringing')
  if (ring < 0) return `no call.ringing (got ${types.join(', ') || 'nothing'})`
  const stop = types.findIndex((type) => STOPS.has(type))
  if (stop < 0) return `no stop after the ring (got ${types.join(', ')})`
  if (stop < ring) return `the stop came before the ring (got ${types.join(', ')})`
  // What the page would show: the same RingInbox the incoming-call modal runs.
  const inbox = new RingInbox()
  events.forEach((event) => inbox.apply(event))
  if (inbox.current) return `the modal stays up (got ${types.join(', ')})`
  return null
}

test.group('The ring stop race', (group) => {
  withCleanDatabase(group)

  test('every invitee that rang gets the stop after the ring, whichever way and however fast the call ends', async ({ assert, cleanup }) => {
    const everyone = await Promise.all((await people(7)).map((user) => tabOf(user, cleanup)))
    const channel = await channelWith(everyone.map((person) => person.user))
    const ways = Object.keys(endings)
    const seen = new Set<number>()
    const failures: string[] = []

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const ending = ways[iteration % ways.length]!
      const caller = everyone[iteration % everyone.length]!
      const invitees = everyone.filter((person) => person !== caller)

      const start = (person: Person) => post(person, `/channels/${channel.id}/calls`, { kind: 'audio' })
      const started = start(caller)
      const rival = ending.startsWith('two start') ? start(invitees[1]!) : undefined
      const callId = await firstRing(everyone, seen)
      seen.add(callId)
      const initiator = await endings[ending]!({ caller, invitees, started, callId, rival })
      assert.include([200, 201], (await started).status, `call ${iteration + 1} (${ending}): the start's status`)
      const rung = everyone.filter((person) => person !== initiator)

      // `call.ended` is the last notice of every end: once each invitee has it, nothing more comes.
      const isEnd = (event: any) => event.type === 'call.ended' && event.callId === callId
      await Promise.all(
        rung.map((person) => person.stream.waitFor(`users/${person.user.id}`, isEnd, 5000).catch(() => null))
      )
      for (const invitee of rung) {
        const wrong = verdict(eventsAbout(invitee, callId))
        if (wrong) failures.push(`call ${iteration + 1} (${ending}), invitee ${invitee.user.id}: ${wrong}`)
      }
    }

    assert.deepEqual(failures, [], `${failures.length} invitee(s) of ${ITERATIONS} calls ended wrong`)
  }).timeout(120_000)
})
