import sfuRooms from '#sfu/main'
import { JanusNamespace, JanusServer, janusForGroup, type JanusOptions } from '#tests/helpers/janus'

type Group = { setup: (fn: () => Promise<void>) => void; teardown: (fn: () => Promise<void>) => void }

/**
 * One real Janus for a test group, and the app's own SFU service (`sfuRooms`) pointed at it with
 * `sfuFrom` as CALL_SFU_FROM (0: every call on the SFU), connected before the group's tests run
 * and closed after them. Nothing starts when Janus is missing here (the tests are skipped then).
 */
export function appSfuForGroup(group: Group, sfuFrom: number, options: Partial<JanusOptions> = {}) {
  const server = new JanusServer('tmp', { wsPort: 3560, rtpPorts: '20000-20100', ...options })
  janusForGroup(group, [server])
  group.setup(async () => {
    if (JanusNamespace.missing()) return
    await sfuRooms.use([server.url], { apiSecret: server.apiSecret }, sfuFrom)
    await sfuRooms.servers[0]!.connection.ready()
  })
  group.teardown(() => sfuRooms.close())
  return server
}
