import { test } from '@japa/runner'
import { CallQualityReporter, type QualityReport } from '../../resources/js/calls/call_quality_reporter.js'
import { QualityMeter, readStats } from '../../resources/js/calls/quality_meter.js'
import { markCallClick, takeCallClick } from '../../resources/js/calls/join_clock.js'

type Link = {
  state?: string
  local?: string
  remote?: string
  rtt?: number
  audioPackets?: number
  videoPackets?: number
  lost?: number
  framesDecoded?: number
  framesDropped?: number
  jitter?: number
  size?: [number, number]
}

/** A getStats() report as Chromium shapes it: transport -> selected pair -> candidates, inbound streams. */
function report(link: Link): RTCStatsReport {
  const stats: any[] = [
    { id: 'T1', type: 'transport', selectedCandidatePairId: link.state ? 'CP1' : undefined },
    { id: 'CP1', type: 'candidate-pair', state: link.state, nominated: true, localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: link.rtt },
    { id: 'L1', type: 'local-candidate', candidateType: link.local ?? 'host' },
    { id: 'R1', type: 'remote-candidate', candidateType: link.remote ?? 'host' },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: link.audioPackets ?? 0, packetsLost: 0, bytesReceived: 0, jitter: link.jitter },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      packetsReceived: link.videoPackets ?? 0,
      packetsLost: link.lost ?? 0,
      bytesReceived: 0,
      framesDecoded: link.framesDecoded ?? 0,
      framesDropped: link.framesDropped ?? 0,
      frameWidth: link.size?.[0],
      frameHeight: link.size?.[1],
    },
  ]
  return { forEach: (each: (stat: any) => void) => stats.forEach(each) } as unknown as RTCStatsReport
}

/** A peer connection whose stats the test sets. */
class FakeLink {
  now: Link = {}
  async getStats() {
    return report(this.now)
  }
}

const welcome = (self: number, ...connected: number[]) => ({
  self: { userId: self },
  participants: [self, ...connected].map((userId) => ({ userId, connection: 'connected' })),
})

function reporter(joinedAt: number | null = 1_000) {
  const sent: QualityReport[] = []
  const instance = new CallQualityReporter({ joinedAt, send: async (body) => sent.push(body), now: () => 1_000 })
  return { instance, sent }
}

test.group('CallQualityReporter', () => {
  test('waits for the connection and the first media, then reports the connect time to a peer who was there when I joined', async ({ assert }) => {
    const { instance, sent } = reporter(1_000)
    const bob = new FakeLink()
    instance.joined(welcome(1, 2))
    instance.track([{ userId: 2, source: bob }])

    await instance.poll(1_200)
    bob.now = { state: 'in-progress' }
    await instance.poll(1_400)
    bob.now = { state: 'succeeded', rtt: 0.004 }
    await instance.poll(1_500)
    assert.lengthOf(sent, 0, 'nothing before the first remote media')

    bob.now = { state: 'succeeded', rtt: 0.004, audioPackets: 40, videoPackets: 90, framesDecoded: 12, framesDropped: 1, jitter: 0.0031, size: [640, 480] }
    await instance.poll(1_840)
    assert.deepEqual(sent, [
      {
        peerUserId: 2,
        connectMs: 840,
        localCandidateType: 'host',
        remoteCandidateType: 'host',
        rttMs: 4,
        lossPercent: 0,
        jitterMs: 3.1,
        framesDecoded: 12,
        framesDropped: 1,
        frameWidth: 640,
        frameHeight: 480,
      },
    ])
  })

  test('then every 30 s: frames and loss since the previous report, no connect time again', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const bob = new FakeLink()
    instance.joined(welcome(1, 2))
    instance.track([{ userId: 2, source: bob }])
    bob.now = { state: 'succeeded', local: 'relay', remote: 'srflx', rtt: 0.05, audioPackets: 10, videoPackets: 100, framesDecoded: 30 }
    await instance.poll(500)

    bob.now = { state: 'succeeded', local: 'relay', remote: 'srflx', rtt: 0.08, audioPackets: 500, videoPackets: 1000, lost: 100, framesDecoded: 630, framesDropped: 4 }
    await instance.poll(20_000)
    assert.lengthOf(sent, 1, 'not due before 30 s')
    await instance.poll(30_500)

    assert.lengthOf(sent, 2)
    const later = sent[1]!
    assert.notProperty(later, 'connectMs')
    assert.equal(later.framesDecoded, 600)
    assert.equal(later.framesDropped, 4)
    // 100 lost of the 1,390 received + 100 lost since the first report.
    assert.equal(later.lossPercent, Math.round((100 / 1490) * 10000) / 100)
    assert.equal(later.rttMs, 80)
    assert.deepEqual([later.localCandidateType, later.remoteCandidateType], ['relay', 'srflx'])
  })

  test('a peer who joined after me gets no connect time from my side (theirs measures it)', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const carol = new FakeLink()
    instance.joined(welcome(1))
    // A later welcome (a signaling reconnect) is not a join.
    instance.joined(welcome(1, 3))
    instance.track([{ userId: 3, source: carol }])
    carol.now = { state: 'succeeded', audioPackets: 5 }
    await instance.poll(900)

    assert.lengthOf(sent, 1)
    assert.notProperty(sent[0]!, 'connectMs')
    assert.equal(sent[0]!.peerUserId, 3)
  })

  test('a connection that is up but brings no media is reported after 30 s, without connect time', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const bob = new FakeLink()
    instance.joined(welcome(1, 2))
    instance.track([{ userId: 2, source: bob }])
    bob.now = { state: 'succeeded' }
    await instance.poll(29_000)
    assert.lengthOf(sent, 0)
    await instance.poll(31_000)

    assert.lengthOf(sent, 1)
    assert.notProperty(sent[0]!, 'connectMs')
    assert.isNull(sent[0]!.lossPercent, 'nothing received: no loss figure, not 0%')
  })

  test('no report while the candidate types are unknown; none for a connection gone; none after close', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const bob = new FakeLink()
    const carol = new FakeLink()
    instance.joined(welcome(1, 2, 3))
    instance.track([{ userId: 2, source: bob }, { userId: 3, source: carol }])
    bob.now = { state: 'succeeded', local: 'mystery', audioPackets: 5 }
    carol.now = { state: 'succeeded', audioPackets: 5 }
    await instance.poll(100)
    assert.deepEqual(sent.map((body) => body.peerUserId), [3])

    instance.track([{ userId: 2, source: bob }])
    bob.now = { state: 'succeeded', audioPackets: 5 }
    await instance.poll(40_000)
    assert.deepEqual(sent.map((body) => body.peerUserId), [3, 2])

    instance.close()
    instance.close()
    await instance.poll(80_000)
    assert.lengthOf(sent, 2)
  })

  test('a new connection to the same person (they reloaded) is reported from the start again', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const first = new FakeLink()
    instance.joined(welcome(1, 2))
    instance.track([{ userId: 2, source: first }])
    first.now = { state: 'succeeded', audioPackets: 5, framesDecoded: 500 }
    await instance.poll(700)

    const second = new FakeLink()
    instance.track([{ userId: 2, source: second }])
    second.now = { state: 'succeeded', audioPackets: 5, framesDecoded: 20 }
    await instance.poll(5_000)

    assert.lengthOf(sent, 2)
    assert.equal(sent[0]!.connectMs, 700)
    assert.notProperty(sent[1]!, 'connectMs', 'the connect time is measured once per person')
    assert.equal(sent[1]!.framesDecoded, 20, 'counted from the new connection')
  })

  test('a connect time beyond two minutes (or before the click) is left out', async ({ assert }) => {
    const { instance, sent } = reporter(0)
    const bob = new FakeLink()
    instance.joined(welcome(1, 2))
    instance.track([{ userId: 2, source: bob }])
    bob.now = { state: 'succeeded', audioPackets: 5 }
    await instance.poll(130_000)
    assert.lengthOf(sent, 1)
    assert.notProperty(sent[0]!, 'connectMs')
  })
})

test.group('Reading getStats', () => {
  test('the selected pair is the one the transport names, not any nominated pair', ({ assert }) => {
    const base = report({ state: 'succeeded', rtt: 0.02, local: 'relay', remote: 'host' })
    const stats: any[] = []
    base.forEach((stat: any) => stats.push(stat))
    stats.unshift({ id: 'CP0', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'L0', remoteCandidateId: 'R1', currentRoundTripTime: 0.9 })
    stats.push({ id: 'L0', type: 'local-candidate', candidateType: 'host' })
    const reading = readStats({ forEach: (each: (stat: any) => void) => stats.forEach(each) } as unknown as RTCStatsReport)

    assert.equal(reading.rttMs, 20)
    assert.equal(reading.localCandidateType, 'relay')
    assert.isTrue(reading.connected)
  })

  test('QualityMeter rates loss and round trip between two samples from the same reading', async ({ assert }) => {
    const link = new FakeLink()
    const meter = new QualityMeter(link)
    link.now = { state: 'succeeded', rtt: 0.3, videoPackets: 100 }
    assert.equal((await meter.sample(0)).level, 'unknown')
    link.now = { state: 'succeeded', rtt: 0.3, videoPackets: 190, lost: 10 }
    const quality = await meter.sample(2000)
    assert.equal(quality.lossPercent, 10)
    assert.equal(quality.level, 'poor')
  })
})

test.group('Call click clock', () => {
  test('the click is read once, and one older than a minute is not this join', ({ assert }) => {
    const storage = new Map<string, string>()
    const store = { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value), removeItem: (key: string) => void storage.delete(key) }
    markCallClick(store, 10_000)
    assert.equal(takeCallClick(store, 10_500), 10_000)
    assert.isNull(takeCallClick(store, 10_600))
    markCallClick(store, 10_000)
    assert.isNull(takeCallClick(store, 80_000))
  })
})
