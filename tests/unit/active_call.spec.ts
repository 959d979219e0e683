import { test } from '@japa/runner'
import { CallRegistry, type BuildCall, type CallHooks, type CallOptions } from '../../resources/js/calls/active_call.js'
import { Emitter } from '../../resources/js/calls/emitter.js'
import type { StageEnd, Tile } from '../../resources/js/calls/call_stage.js'
import { flush } from '#tests/helpers/fake_webrtc'

/** The stage's surface: emits what the test tells it, records its close. */
class FakeStage extends Emitter<{ tiles: Tile[]; speaker: number | null; controls: any; ended: StageEnd }> {
  tiles: Tile[] = []
  controls = { muted: false, cameraOff: false, sharing: false }
  closed = 0
  streams = new Map<number, object>()
  streamOf(userId: number) {
    return this.streams.get(userId) as MediaStream | undefined
  }
  close() {
    this.closed += 1
  }
  say<Name extends 'tiles' | 'speaker' | 'controls' | 'ended'>(name: Name, payload: any) {
    this.emit(name, payload)
  }
}

/** A media surface whose mute toggles as LocalMedia's does, and tells the stage. */
function fakeMedia(stage: FakeStage) {
  return {
    muted: false,
    cameraOff: false,
    state: { screen: false },
    setMuted(muted: boolean) {
      this.muted = muted
      stage.say('controls', { muted, cameraOff: this.cameraOff, sharing: false })
    },
    setCameraOff(off: boolean) {
      this.cameraOff = off
    },
    async toggleMute() {
      this.setMuted(!this.muted)
    },
    async toggleCamera() {
      this.setCameraOff(!this.cameraOff)
    },
    async startScreenShare() {},
    stopScreenShare() {},
  }
}

/** A build that records every call it built and hands back its fake parts. */
function recordingBuild() {
  const built: Array<{ options: CallOptions; stage: FakeStage; hooks: CallHooks; reporterClosed: number }> = []
  const build: BuildCall = async (options, hooks) => {
    const stage = new FakeStage()
    const entry = { options, stage, hooks, reporterClosed: 0 }
    built.push(entry)
    return { media: fakeMedia(stage) as any, stage: stage as any, close: () => (entry.reporterClosed += 1) }
  }
  return { built, build }
}

const options = (callId: number): CallOptions => ({ callId, kind: 'video', signalPath: `/calls/${callId}/signal`, qualityReportsUrl: `/calls/${callId}/quality_reports` })
const tile = (userId: number) => ({ userId, name: `P${userId}`, initials: 'P', self: false, audio: true, video: true, screen: false, peerState: 'connected', quality: 'good', qualityText: '' }) as Tile

test.group('ActiveCall and CallRegistry: a call outlives the views that show it', () => {
  test('joining the call already held returns it: one build, one socket, whichever page asks', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    const first = calls.join(options(7))
    await first.ready
    const again = calls.join(options(7))
    assert.strictEqual(again, first)
    assert.lengthOf(built, 1)
  })

  test('a view that attaches later gets the last tiles, speaker, controls and connection at once', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    const call = calls.join(options(7))
    await call.ready
    const { stage, hooks } = built[0]!
    stage.say('tiles', [tile(2)])
    stage.say('speaker', 2)
    hooks.connection('open')
    call.toggleMute()

    const later = calls.join(options(7))
    assert.deepEqual(later.tiles.map((entry) => entry.userId), [2])
    assert.equal(later.speakerId, 2)
    assert.equal(later.connection, 'open')
    assert.isTrue(later.controls.muted)
  })

  test('views count up and down and each change is announced (the dock goes quiet while the room plays)', async ({ assert }) => {
    const { build } = recordingBuild()
    const calls = new CallRegistry(build)
    const call = calls.join(options(7))
    const seen: number[] = []
    call.on('change', (current) => seen.push(current.views))
    const detach = call.attachView()
    detach()
    assert.deepEqual(seen, [1, 0])
  })

  test('detaching a view does not close the call; leaving does, once, and the registry lets it go', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    const changes: Array<number | null> = []
    calls.on('change', (current) => changes.push(current ? current.options.callId : null))
    const call = calls.join(options(7))
    await call.ready
    call.attachView()()
    assert.equal(built[0]!.stage.closed, 0)
    calls.leave()
    calls.leave()
    assert.equal(built[0]!.stage.closed, 1)
    assert.equal(built[0]!.reporterClosed, 1)
    assert.isNull(calls.current)
    assert.isFalse(call.live)
    assert.deepEqual(changes, [7, null])
  })

  test('the stage ending (call ended, socket refused) releases the call and keeps its message', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    const call = calls.join(options(7))
    await call.ready
    built[0]!.stage.say('ended', { message: 'The call has ended.', callEnded: true, reason: 'ended_by_initiator' })
    assert.isNull(calls.current)
    assert.deepEqual(call.notices, ['The call has ended.'])
    assert.equal(call.end?.reason, 'ended_by_initiator')
    // Joining after the end builds afresh (a new call, or the same one rejoined).
    calls.join(options(7))
    assert.lengthOf(built, 2)
  })

  test('joining another call closes the held one first', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    await calls.join(options(7)).ready
    const next = calls.join(options(8))
    assert.equal(built[0]!.stage.closed, 1)
    assert.strictEqual(calls.current, next)
  })

  test('a call left while its devices were still starting stops what was built', async ({ assert }) => {
    const { built, build } = recordingBuild()
    const calls = new CallRegistry(build)
    const call = calls.join(options(7))
    calls.leave()
    await call.ready
    await flush()
    assert.equal(built[0]!.stage.closed, 1)
    assert.equal(built[0]!.reporterClosed, 1)
  })
})
