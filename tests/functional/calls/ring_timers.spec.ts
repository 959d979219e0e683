import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import Call from '#models/call'
import ringTimer from '#services/ring_timer'
import { AppProcess } from '#tests/helpers/app_process'
import { until } from '#tests/helpers/waiting'
import { channelWith, people, withCleanDatabase } from '#tests/helpers/world'
import { expireDeadline, snapshot, startCall } from '#tests/helpers/calls'

test.group('Calls: ring timers', (group) => {
  withCleanDatabase(group)

  test('a started call arms a timer that expires its ring at the deadline', async ({ client, assert }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id

    // The real timer, re-armed for a deadline a moment away instead of 30 seconds.
    const call = await Call.findOrFail(callId)
    call.ringExpiresAt = DateTime.now().plus({ milliseconds: 300 })
    await call.save()
    ringTimer.arm(callId, call.ringExpiresAt)

    const { statuses } = await until(() => snapshot(callId), (state) => state.call.status === 'missed', 5000, 'the ring to expire')
    assert.equal(statuses[bob!.id], 'missed')
  })

  test('a ring whose process died is expired by the sweeper of the next server that boots', async ({ client, assert, cleanup }) => {
    const [alice, bob] = await people(2)
    const channel = await channelWith([alice!, bob!])
    const callId = (await startCall(client, alice!, channel)).body().call.id
    // This process "dies": its timer is gone, and the deadline passes while no server runs.
    ringTimer.disarm(callId)
    await expireDeadline(callId, 5)

    const server = new AppProcess(3391, {
      NODE_ENV: 'development',
      SQLITE_PATH: app.tmpPath('test.sqlite3'),
      LOG_LEVEL: 'warn',
    })
    cleanup(() => server.stop())
    await server.ready('/health')

    const { call, statuses } = await until(() => snapshot(callId), (state) => state.call.status === 'missed', 10_000, 'the sweeper to expire the ring')
    assert.equal(call.endReason, 'no_answer')
    assert.deepEqual(statuses, { [alice!.id]: 'left', [bob!.id]: 'missed' })
  }).timeout(45_000)
})
