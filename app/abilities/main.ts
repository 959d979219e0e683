/*
| Abilities that belong to no resource (resource rules are policies, in app/policies).
*/
import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

/** The Activity page (docs/admin.md): admins only. */
export const viewActivity = Bouncer.ability((user: User) => user.isAdmin)
