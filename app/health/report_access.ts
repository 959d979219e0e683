import type { HealthCheckReport } from '@adonisjs/core/types/health'
import env from '#start/env'
import { matchesSecret } from '#helpers/secrets'

/** The header that carries HEALTH_SECRET to see the full `/health` report. */
export const HEALTH_SECRET_HEADER = 'x-health-secret'

/**
 * Whether a request's header value is HEALTH_SECRET, compared in constant time. Without
 * HEALTH_SECRET nobody sees the details.
 */
export function holdsHealthSecret(given: string | undefined) {
  return matchesSecret(given, env.get('HEALTH_SECRET')?.release())
}

/**
 * What anyone may see: overall status and each check's name and status. No process details
 * (pid, uptime, versions) and no check messages, which name hosts, ports and driver errors.
 */
export function publicHealthReport(report: HealthCheckReport) {
  return {
    isHealthy: report.isHealthy,
    status: report.status,
    finishedAt: report.finishedAt,
    checks: report.checks.map(({ name, status }) => ({ name, status })),
  }
}
