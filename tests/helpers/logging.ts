import logger from '@adonisjs/core/services/logger'

/** Every logger.error call from now on (the real logger still logs), until the test's cleanup. */
export function loggedErrors(cleanup: (fn: () => void) => void) {
  const calls: unknown[][] = []
  const error = logger.error
  logger.error = function (this: unknown, ...args: any[]) {
    calls.push(args)
    return (error as any).apply(this, args)
  } as typeof logger.error
  cleanup(() => {
    delete (logger as any).error
  })
  return calls
}
