import { test } from '@japa/runner'
import { deviceProblem, problemFromError } from '../../resources/js/calls/device_problems.js'

const failure = (name: string) => Object.assign(new Error(name), { name })

test.group('Device problems in words', () => {
  test('each getUserMedia error name becomes its problem, with the button text for the device', ({ assert }) => {
    const cases: Array<[string, 'microphone' | 'camera', string, string]> = [
      ['NotAllowedError', 'microphone', 'denied', 'Microphone blocked'],
      ['SecurityError', 'camera', 'denied', 'Camera blocked'],
      ['NotReadableError', 'camera', 'in-use', 'Camera in use'],
      ['AbortError', 'microphone', 'in-use', 'Microphone in use'],
      ['NotFoundError', 'microphone', 'missing', 'Microphone not found'],
      ['OverconstrainedError', 'camera', 'missing', 'Camera not found'],
      ['TypeError', 'camera', 'failed', 'Camera not working'],
    ]
    for (const [name, device, code, control] of cases) {
      const problem = problemFromError(failure(name), device)
      assert.deepInclude(problem, { device, code, control, retry: true }, name)
    }
    // Not even an error object (a rejected promise with a string): still a problem, not a crash.
    assert.equal(problemFromError('nope', 'microphone').code, 'failed')
    assert.equal(problemFromError(null, 'microphone').code, 'failed')
  })

  test('the sentences say what happened, the fix, and what it means meanwhile', ({ assert }) => {
    assert.equal(
      problemFromError(failure('NotAllowedError'), 'microphone').message,
      "Confab can't use your microphone: allow it in the address bar's site settings, then Try again. Until then, others can't hear you."
    )
    assert.equal(
      problemFromError(failure('NotReadableError'), 'camera').message,
      'Your camera is in use by another app: close that app or choose another camera, then Try again. Until then, others see your initials.'
    )
    assert.equal(
      deviceProblem('disconnected', 'microphone').message,
      "Your microphone was disconnected: plug it back in or choose another microphone, then Try again. Until then, others can't hear you."
    )
    assert.equal(
      deviceProblem('revoked', 'camera').message,
      "Confab lost access to your camera: allow it in the address bar's site settings, then Try again. Until then, others see your initials."
    )
  })

  test('permission problems offer no other device; a working device keeps its button', ({ assert }) => {
    assert.isFalse(problemFromError(failure('NotAllowedError'), 'camera').choose, 'another camera is blocked too')
    assert.isTrue(problemFromError(failure('NotReadableError'), 'camera').choose)

    // A switch to another camera failed: the current one stays on air.
    const kept = problemFromError(failure('NotReadableError'), 'camera', true)
    assert.deepInclude(kept, { control: null, retry: false, choose: true })
    assert.match(kept.message, /Confab keeps your current camera\.$/)

    const switched = deviceProblem('switched', 'microphone', { label: 'USB headset' })
    assert.deepInclude(switched, {
      message: 'Your microphone was disconnected, so Confab switched to USB headset.',
      control: null,
      retry: false,
      choose: false,
    })
  })
})
