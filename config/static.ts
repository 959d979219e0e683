import { defineConfig } from '@adonisjs/static'

/** Vite's production files are named after their content hash (app-0TT_JgTD.js): they never change. */
const HASHED_ASSET = /[\\/]assets[\\/][^\\/]+-[\w-]{8,}\.(js|css|woff2?|svg|png|webp)$/

const staticServerConfig = defineConfig({
  enabled: true,
  etag: true,
  lastModified: true,
  dotFiles: 'ignore',
  // A returning page loads the bundle from cache without a revalidation round trip.
  headers: (path) => (HASHED_ASSET.test(path) ? { 'cache-control': 'public, max-age=31536000, immutable' } : {}),
})

export default staticServerConfig
