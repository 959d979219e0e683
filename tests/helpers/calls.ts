import type { ApiClient } from '@japa/api-client'
import { DateTime } from 'luxon'
import Call from '#models/call'
import CallParticipant from '#models/call_participant'
import type User from '#models/user'
import type Channel from '#models/channel'

/** Starts a call through the JSON API, as the call buttons do. */
export function startCall(client: ApiClient, user: User, channel: Channel, kind: 'audio' | 'video' = 'video') {
  return client.post(`/channels/${channel.id}/calls`).loginAs(user).accept('json').json({ kind }).withCsrfToken()
}

export function callAction(
  client: ApiClient,
  user: User,
  method: 'post' | 'delete',
  path: string
) {
  return client[method](path).loginAs(user).accept('json').withCsrfToken()
}

export const accept = (client: ApiClient, user: User, callId: number) =>
  callAction(client, user, 'post', `/calls/${callId}/participation`)
export const decline = (client: ApiClient, user: User, callId: number) =>
  callAction(client, user, 'post', `/calls/${callId}/decline`)
export const leave = (client: ApiClient, user: User, callId: number) =>
  callAction(client, user, 'delete', `/calls/${callId}/participation`)
export const endForEveryone = (client: ApiClient, user: User, callId: number) =>
  callAction(client, user, 'post', `/calls/${callId}/end`)

/** The call and each person's status, straight from the database. */
export async function snapshot(callId: number) {
  const call = await Call.findOrFail(callId)
  const rows = await CallParticipant.query().where('call_id', callId).orderBy('user_id')
  const statuses = Object.fromEntries(rows.map((row) => [row.userId, row.status]))
  return { call, statuses, rows }
}

/** Moves a call's ring deadline into the past, as if its ring time had run out. */
export async function expireDeadline(callId: number, secondsAgo = 1) {
  const call = await Call.findOrFail(callId)
  call.ringExpiresAt = DateTime.now().minus({ seconds: secondsAgo })
  await call.save()
  return call
}
