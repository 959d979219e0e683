import factory from '@adonisjs/lucid/factories'
import User from '#models/user'

export const TEST_PASSWORD = 'correct horse battery'

let sequence = 0

export const UserFactory = factory
  .define(User, () => {
    sequence += 1
    return { fullName: `Person ${sequence}`, email: `person${sequence}@example.test`, password: TEST_PASSWORD }
  })
  .build()
