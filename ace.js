/*
| Ace entry point. AdonisJS v7 needs Node 24; the project ships it as the `node` npm package,
| which npm scripts put first on PATH. A bare `node ace` on an older system Node would die on
| the first `.ts` import with a cryptic error, so refuse early with the command that works.
*/
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  console.error(
    `Confab needs Node.js 24 or newer (this is Node ${process.versions.node}).\n` +
      'Run commands through npm so the bundled Node 24 is used:\n\n' +
      '  npm run ace -- <command>      e.g. npm run ace -- migration:run\n'
  )
  process.exit(1)
}

/*
| ts-exec compiles TypeScript source files just in time; `bin/console.ts` boots the app in the
| console environment.
*/
await import('@poppinss/ts-exec')
await import('./bin/console.js')
