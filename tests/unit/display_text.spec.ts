import { test } from '@japa/runner'
import User from '#models/user'
import {
  callStatusLabel,
  endedNotice,
  formatDuration,
  historyStatusLabel,
  initials,
  participantStatusLabel,
} from '#helpers/display_text'

test.group('Display text shared by the templates and the browser bundle', () => {
  test('initials: the avatars (User.initials) and the call tiles use the same function', ({ assert }) => {
    assert.equal(initials('Alice Martin'), 'AM')
    assert.equal(initials('  bob   van der Berg '), 'BV')
    assert.equal(initials('Zoë'), 'Z')
    const user = new User()
    user.fullName = 'carol de la Cruz'
    assert.equal(user.initials, initials(user.fullName))
    assert.equal(user.initials, 'CD')
  })

  test('one duration format: timeline, history and the room timer', ({ assert }) => {
    assert.equal(formatDuration(null), '–')
    assert.equal(formatDuration(0), '0:00')
    assert.equal(formatDuration(754), '12:34')
    assert.equal(formatDuration(3723), '1:02:03')
  })

  test('status labels for the room, its participants and the history, in one place', ({ assert }) => {
    assert.deepEqual(
      ['ringing', 'active', 'ended', 'missed', 'declined', 'cancelled', 'odd'].map(callStatusLabel),
      ['Ringing…', 'In progress', 'Ended', 'No answer', 'Declined', 'Cancelled', 'odd']
    )
    assert.deepEqual(
      ['ringing', 'joined', 'left', 'declined', 'missed'].map(participantStatusLabel),
      ['Ringing…', 'In the call', 'Left', 'Declined', 'Missed']
    )
    assert.equal(historyStatusLabel('active', 'joined', false), 'In progress')
    assert.equal(historyStatusLabel('ended', 'left', true), 'Answered')
    assert.equal(historyStatusLabel('missed', 'missed', true), 'No answer')
    assert.equal(historyStatusLabel('missed', 'missed', false), 'Missed')
    assert.equal(historyStatusLabel('ended', 'left', false), 'Answered')
    assert.equal(endedNotice('everyone_left'), 'The call ended: everyone left.')
    assert.equal(endedNotice(null), 'The call has ended.')
  })
})
