import db from '@adonisjs/lucid/services/db'
import { HealthChecks } from '@adonisjs/core/health'
import { DbCheck } from '@adonisjs/lucid/database'

/** What `GET /health` verifies: the app answers and its database does too. */
export const healthChecks = new HealthChecks().register([new DbCheck(db.connection())])
