import { BaseSeeder } from '@adonisjs/lucid/seeders'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import Channel from '#models/channel'
import Message from '#models/message'
import Membership from '#models/membership'
import OpenDirectChannel from '#actions/channels/open_direct_channel'

/** The password of every demo account (documented in the README). */
export const DEMO_PASSWORD = 'confab-demo'

// `admin`: the seeder's admin flag (docs/admin.md): alice sees the Activity page.
const people = [
  { fullName: 'Alice Martin', email: 'alice@example.com', admin: true },
  { fullName: 'Bob Nguyen', email: 'bob@example.com' },
  { fullName: 'Carol Diaz', email: 'carol@example.com' },
  { fullName: 'Dave Okafor', email: 'dave@example.com' },
]

const channels = [
  {
    name: 'general',
    kind: 'public' as const,
    topic: 'Company-wide announcements and chatter',
    members: ['alice', 'bob', 'carol', 'dave'],
    messages: [
      ['alice', 'Morning everyone! Confab is live: channels, DMs and calls.'],
      ['bob', 'Nice. The sidebar shows unread counts too.'],
      ['carol', 'Who is up for a quick sync at 10?'],
      ['dave', 'Count me in.'],
    ],
  },
  {
    name: 'design',
    kind: 'public' as const,
    topic: 'Mockups, reviews and pixel pushing',
    members: ['alice', 'carol'],
    messages: [['carol', 'New call-room mockups are in the shared folder.']],
  },
  {
    name: 'launch-team',
    kind: 'private' as const,
    topic: 'Planning the launch (private)',
    members: ['alice', 'bob', 'dave'],
    messages: [['dave', 'Launch checklist updated. Please review by Friday.']],
  },
]

/**
 * Demo data for `npm run dev`: alice, bob, carol and dave, a few channels and DMs with some
 * messages. Idempotent: it only adds what is missing, so it runs on every `npm run dev`.
 */
export default class MainSeeder extends BaseSeeder {
  static environment = ['development']

  async run() {
    const users = new Map<string, User>()
    for (const { admin, ...person } of people) {
      const user = await User.firstOrCreate({ email: person.email }, { ...person, password: DEMO_PASSWORD })
      // Also for a demo database seeded before admins existed.
      if (admin && !user.isAdmin) await user.merge({ isAdmin: true }).save()
      users.set(person.email.split('@')[0]!, user)
    }

    for (const spec of channels) {
      const alice = users.get('alice')!
      const channel = await Channel.firstOrCreate(
        { name: spec.name },
        { kind: spec.kind, topic: spec.topic, createdById: alice.id }
      )
      for (const handle of spec.members) {
        await Membership.firstOrCreate({ channelId: channel.id, userId: users.get(handle)!.id })
      }
      await this.seedMessages(channel, spec.messages, users)
    }

    const alice = users.get('alice')!
    const dm = await new OpenDirectChannel().handle(alice, users.get('bob')!.id)
    await this.seedMessages(dm, [['bob', 'Hey Alice, got a minute for a call later?'], ['alice', 'Sure, ping me after lunch.']], users)
    await new OpenDirectChannel().handle(users.get('carol')!, users.get('dave')!.id)

    if (!app.inTest) console.log(`Demo users: alice, bob, carol, dave @example.com, password "${DEMO_PASSWORD}"`)
  }

  /** Adds a channel's demo messages once: skipped when the channel already has messages. */
  private async seedMessages(channel: Channel, messages: string[][], users: Map<string, User>) {
    const existing = await Message.query().where('channel_id', channel.id).first()
    if (existing) return
    for (const [handle, body] of messages) {
      await Message.create({ channelId: channel.id, userId: users.get(handle!)!.id, body: body! })
    }
  }
}
