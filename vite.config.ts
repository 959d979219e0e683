import { defineConfig } from 'vite'
import adonisjs from '@adonisjs/vite/client'

export default defineConfig({
  plugins: [
    adonisjs({
      entryPoints: ['resources/css/app.css', 'resources/js/app.ts'],
      reload: ['resources/views/**/*.edge'],
    }),
  ],
  server: {
    watch: { ignored: ['**/tmp/**'] },
    // Its own HMR port when several checkouts (or test app processes) run side by side; the
    // CSP in config/shield.ts allows the same port. Unset: Vite's default, 24678.
    hmr: process.env.VITE_HMR_PORT ? { port: Number(process.env.VITE_HMR_PORT) } : undefined,
  },
})
