import { test } from '@japa/runner'
import { Shortcuts, type KeyLike } from '../../resources/js/calls/shortcuts.js'

function setup() {
  const ran: string[] = []
  const shortcuts = new Shortcuts({
    mute: () => ran.push('mute'),
    camera: () => ran.push('camera'),
    hand: () => ran.push('hand'),
    escape: () => ran.push('escape'),
  })
  let prevented = 0
  const press = (key: string, extra: Partial<KeyLike> = {}) =>
    shortcuts.handle({ key, target: { tagName: 'BODY', closest: () => null }, preventDefault: () => prevented++, ...extra })
  return { ran, press, prevented: () => prevented }
}

const field = (tagName: string, isContentEditable = false) => ({ tagName, isContentEditable, closest: () => null })

test.group('Shortcuts', () => {
  test('M, V, H and Escape run their actions, in either case', ({ assert }) => {
    const { ran, press, prevented } = setup()
    assert.isTrue(press('m'))
    press('V')
    press('h')
    press('Escape')
    assert.isFalse(press('x'))
    assert.deepEqual(ran, ['mute', 'camera', 'hand', 'escape'])
    assert.equal(prevented(), 4)
  })

  test('letters typed into a field are text, Escape still closes', ({ assert }) => {
    const { ran, press } = setup()
    for (const target of [field('INPUT'), field('TEXTAREA'), field('SELECT'), field('DIV', true)]) {
      assert.isFalse(press('m', { target }))
    }
    assert.isTrue(press('Escape', { target: field('INPUT') }))
    assert.deepEqual(ran, ['escape'])
  })

  test('modifier keys, held keys, handled keys and keys inside a modal are left alone', ({ assert }) => {
    const { ran, press } = setup()
    press('m', { ctrlKey: true })
    press('m', { metaKey: true })
    press('m', { altKey: true })
    press('m', { repeat: true })
    press('Escape', { defaultPrevented: true })
    press('h', { target: { tagName: 'BUTTON', closest: (selector: string) => (selector.includes('aria-modal') ? {} : null) } })
    assert.deepEqual(ran, [])
    assert.isTrue(press('m', { target: field('BUTTON') }), 'a focused button is not a text field')
  })

  test('a shortcut with no action here does nothing (V in an audio call)', ({ assert }) => {
    const shortcuts = new Shortcuts({ mute: () => {} })
    assert.isFalse(shortcuts.handle({ key: 'v' }))
  })
})
