/*
| Boots the application for Ace commands.
*/
// Timestamps are stored and compared in UTC whatever the machine's zone.
process.env.TZ = 'UTC'

import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'
import { ensureLocalEnvironment } from './local_environment.js'
import { stopDevServer } from './dev_server_stop.js'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

ensureLocalEnvironment(APP_ROOT)

/**
 * A stop signal (a process manager, `kill`, a script's Ctrl-C): `ace serve` (`npm run dev`) first
 * stops its HTTP server the way production stops (SIGTERM: call sockets told to reconnect,
 * streams ended), then its watchers; every command then exits once the app has terminated.
 * Terminating alone left `serve` alive, its watchers and HTTP child still serving.
 */
async function stopAndExit(app: ApplicationService) {
  const ace = await app.container.make('ace')
  const command = ace.getMainCommand() as { devServer?: { close(): Promise<void> } } | undefined
  if (command?.devServer) await stopDevServer(command.devServer)
  await app.terminate()
  process.exit()
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => stopAndExit(app))
    app.listenIf(app.managedByPm2, 'SIGINT', () => stopAndExit(app))
  })
  .ace()
  .handle(process.argv.splice(2))
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
