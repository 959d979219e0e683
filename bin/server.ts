/*
| Boots the HTTP server (`npm start` runs the compiled copy of this file).
*/
// Timestamps are stored and compared in UTC whatever the machine's zone.
process.env.TZ = 'UTC'

import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import { ensureLocalEnvironment } from './local_environment.js'
import { createServerWithSignaling } from '../app/signaling/node_server.js'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

ensureLocalEnvironment(APP_ROOT)

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    // Exit once the graceful shutdown is done (connections drained, providers shut down). Code
    // still running after it, like a handler whose client hung up mid-request, would reopen a
    // database pool whose reaper timer then kept the process alive forever.
    const terminateAndExit = () => app.terminate().finally(() => process.exit())
    app.listen('SIGTERM', terminateAndExit)
    app.listenIf(app.managedByPm2, 'SIGINT', terminateAndExit)
  })
  .httpServer()
  .start(createServerWithSignaling)
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
