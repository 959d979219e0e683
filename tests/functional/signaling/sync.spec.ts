import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import Call from '#models/call'
import { CallChange } from '#actions/calls/call_change'
import SyncCallSockets from '#listeners/sync_call_sockets'
import { callOfThree } from '#tests/helpers/call_socket'
import { withCleanDatabase } from '#tests/helpers/world'
import { snapshot } from '#tests/helpers/calls'
import { CloseCode } from '#signaling/protocol'

/*
| `sync` follows what a committed change says (who left and why, the end) and nothing else; the
| socket's `leave`/`end` frames are authorized through Bouncer, as the HTTP routes are.
*/

/** Counts the SQL statements run on the default connection from now on. */
function countQueries(cleanup: (fn: () => void) => void) {
  const knex = db.connection().getWriteClient()
  let count = 0
  const listener = () => (count += 1)
  knex.on('query', listener)
  cleanup(() => {
    knex.off('query', listener)
  })
  return () => count
}

test.group('Call WebSocket: sync follows the committed change', (group) => {
  withCleanDatabase(group)

  test('a change that only stops a ring reads nothing and touches no socket', async ({ client, assert, cleanup }) => {
    const { carol, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    const change = new CallChange(await Call.findOrFail(callId))
    change.stopRing(carol.id, 'declined')
    const queries = countQueries(cleanup)

    await new SyncCallSockets().handle({ change } as any)

    assert.equal(queries(), 0, 'the sockets followed a ring-only change without a database read')
    aliceSocket.send({ type: 'media', audio: false, video: true, screen: false })
    assert.equal((await bobSocket.next('media')).audio, false, 'the call goes on')
  })

  test('who left and why comes from the change alone', async ({ client, assert, cleanup }) => {
    const { bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    // The database still says bob is joined: only the change says he left, by timeout.
    const change = new CallChange(await Call.findOrFail(callId))
    change.left.push({ userId: bob.id, reason: 'timeout' })

    await new SyncCallSockets().handle({ change } as any)

    assert.deepEqual(await aliceSocket.next('participant.left'), { type: 'participant.left', userId: bob.id, reason: 'timeout' })
    assert.equal((await bobSocket.closed).code, CloseCode.Normal)
  })
})

test.group('Call WebSocket: leave and end frames go through Bouncer', (group) => {
  withCleanDatabase(group)

  test('end is decided by CallPolicy.end through Bouncer, refused for a non-initiator, allowed for the initiator', async ({ client, assert, cleanup }) => {
    const { alice, bob, callId, aliceSocket, bobSocket } = await callOfThree(client, cleanup)
    const decisions: Array<{ userId: number; action: string; authorized: boolean }> = []
    const listener = (event: any) => decisions.push({ userId: event.user?.id, action: event.action, authorized: event.response.authorized })
    emitter.on('authorization:finished', listener)
    cleanup(() => emitter.off('authorization:finished', listener))

    bobSocket.send({ type: 'end' })
    assert.deepEqual(await bobSocket.next('error'), {
      type: 'error',
      code: 'not_initiator',
      message: 'Only the person who started the call can end it for everyone.',
    })
    assert.equal((await snapshot(callId)).call.status, 'active')

    aliceSocket.send({ type: 'end' })
    assert.equal((await aliceSocket.closed).code, CloseCode.CallEnded)
    assert.deepEqual(decisions, [
      { userId: bob.id, action: 'CallPolicy.end', authorized: false },
      { userId: alice.id, action: 'CallPolicy.end', authorized: true },
    ])
  })

  test('leave and end for a call the person can no longer see answer call_ended, as HTTP answers 404', async ({ client, assert, cleanup }) => {
    const { bob, callId, bobSocket } = await callOfThree(client, cleanup)
    // bob's membership of the channel goes behind the hub's back (no change announced): the
    // socket is still open, but the call is no longer his to see.
    const call = await Call.findOrFail(callId)
    await db.from('memberships').where({ channel_id: call.channelId, user_id: bob.id }).delete()

    bobSocket.send({ type: 'leave' })
    assert.deepEqual(await bobSocket.next('error'), { type: 'error', code: 'call_ended', message: 'This call no longer exists.' })
    bobSocket.send({ type: 'end' })
    assert.equal((await bobSocket.next('error')).code, 'call_ended')
    assert.equal((await snapshot(callId)).statuses[bob.id], 'joined', 'nothing changed')
  })
})
